"""The services' exceptions as HTTP answers: a version conflict is 409 with what changed since, field errors
are 400 keyed by task or indicator id, a refused step is 400 (bad input) or 403 (not allowed), in the
caller's language (Chinese first, through the project's locale middleware)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tasks.services import ReportErrors, VersionConflict

from .report_serializers import EventSerializer


def exception_handler(exc, context):
    if isinstance(exc, VersionConflict):
        body = {
            "detail": str(exc),
            "version": exc.report.version,
            "since": EventSerializer(exc.since, many=True).data,
        }
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ReportErrors):
        body = {
            "detail": _("Nothing was saved: please correct the fields listed."),
            "tasks": {str(pk): problems for pk, problems in exc.tasks.items()},
            "indicators": {str(pk): problems for pk, problems in exc.indicators.items()},
            "non_field_errors": list(exc.general),
        }
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):  # get_object_or_404's text names the model, in English: say 未找到 as reads do
        exc = NotFound()
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
