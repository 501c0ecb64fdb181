"""Django's JSON serialisation with exact times.

DjangoJSONEncoder cuts datetimes and times to milliseconds (as ECMAScript's Date does), so a restored
database would differ from the saved one in every timestamp: history order among events of the same
millisecond, "changed since" comparisons and fingerprints would all shift. This encoder keeps microseconds;
Django's ordinary JSON deserializer reads them back unchanged.
"""

from __future__ import annotations

import datetime as dt

from django.core.serializers.json import Deserializer, DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer

__all__ = ["Deserializer", "Serializer"]


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(JSONSerializer):
    def _init_options(self):
        self.options.setdefault("cls", ExactJSONEncoder)
        super()._init_options()
