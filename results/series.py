"""The lean result layout: one row per target, task or rollup group holding its per-quarter series.

Issue 18: with one row per target, task and group *per quarter* (1.2 M rows at 300 plans), writing the rows cost
many times reading the inputs. A series row holds every quarter of one target (task, group) as arrays, indexed by
the quarter's position (`quarter_index`) from the series' first quarter; an element that is None (SQL NULL) is a
quarter without a result. The per-quarter tables the project has always read (results_targetresult, …) are now
views over the series: each quarter's row is the series' element at that quarter's position, so pages, the API,
exports and the PDF read "as of a quarter" as before, by the series' owner and one subscript.

A series column is an array on PostgreSQL (float8[], text[], smallint[], boolean[], date[]) and a JSON array in
SQLite, the embedded default; a column of dicts or lists (the figures beside, the co-departments' updates, the
rollups' counts) is a JSON array on both.
"""

from __future__ import annotations

import datetime as dt
import json

from django.db import models

ELEMENT_TYPES = ("text", "float8", "smallint", "boolean", "date")


def quarter_index(year: int, quarter: int) -> int:
    """A quarter's position on one line of quarters: consecutive quarters have consecutive positions."""
    return year * 4 + quarter - 1


class Series(models.Field):
    """Values by quarter, oldest first, None where a quarter has none. `of` names the element's SQL type."""

    description = "A value per quarter"

    def __init__(self, *args, of: str = "text", **kwargs):
        if of not in ELEMENT_TYPES:
            raise ValueError(f"a series of {of!r}: not one of {ELEMENT_TYPES}")
        self.of = of
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["of"] = self.of
        return name, path, args, kwargs

    def db_type(self, connection):
        return f"{self.of}[]" if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value, compiler, connection):
        """psycopg2 sends a list as ARRAY[…]: typed here, so a series of NULLs or an empty one is still float8[]."""
        return f"%s::{self.of}[]" if connection.vendor == "postgresql" else "%s"

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        if connection.vendor == "postgresql":
            return list(value)
        return json.dumps([v.isoformat() if isinstance(v, dt.date) else v for v in value], separators=(",", ":"))

    def from_db_value(self, value, expression, connection):
        if value is None or not isinstance(value, str):
            return value
        items = json.loads(value)
        if self.of == "date":
            return [dt.date.fromisoformat(v) if v else None for v in items]
        return items

    def to_python(self, value):
        return self.from_db_value(value, None, None) if isinstance(value, str) else value

    def value_to_string(self, obj):
        """JSON, as serialisers (dumpdata, the backup) write a field and to_python reads it back."""
        value = self.value_from_object(obj)
        return None if value is None else json.dumps([v.isoformat() if isinstance(v, dt.date) else v for v in value])
