"""Supervision notices in the API: read through supervision.selectors, every step through supervision.services.

A unit sees the notices addressed or copied to it (others answer 404), the viewer reads every notice, only the
office opens, returns, closes and escalates (supervision.permissions, as on the pages).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from supervision import permissions, selectors, services
from supervision.models import Level, Notice, Status

from . import notice_serializers as s
from .params import plan_from

FILTERS = [
    OpenApiParameter("status", str, enum=[*Status.values, "overdue"], description="A status, or overdue."),
    OpenApiParameter("level", str, enum=Level.values),
    OpenApiParameter("unit", int, description="Addressed or copied to this department."),
]


class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Supervision notices (督办单) the caller may see, with their history; the steps as on the web pages."""

    serializer_class = s.NoticeSerializer
    lookup_value_regex = r"\d+"
    filterset_class = None
    filter_backends = []

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_queryset(self):
        notices = selectors.notice_list(permissions.visible_notices(self.request.user)).order_by("-year", "-number")
        params = self.request.query_params
        if params.get("status") == "overdue":
            notices = notices.overdue(timezone.localdate())
        elif params.get("status") in Status.values:
            notices = notices.filter(status=params["status"])
        if params.get("level") in Level.values:
            notices = notices.filter(level=params["level"])
        if params.get("unit", "").isdigit():
            unit = int(params["unit"])
            notices = notices.filter(Q(responsible_id=unit) | Q(copied__id=unit)).distinct()
        return notices

    @extend_schema(parameters=FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _detail(self, pk, code=status.HTTP_200_OK) -> Response:
        try:
            notice = selectors.notice_with_history(int(pk), permissions.visible_notices(self.request.user))
        except Notice.DoesNotExist:
            raise NotFound from None
        return Response(s.NoticeDetailSerializer(notice, context=self.get_serializer_context()).data, status=code)

    @extend_schema(responses=s.NoticeDetailSerializer)
    def retrieve(self, request, pk=None):
        """One notice with the figures it was opened on and every step (who, when, what)."""
        return self._detail(pk)

    @extend_schema(request=s.OpenNoticeSerializer, responses={201: s.NoticeDetailSerializer})
    def create(self, request):
        """Open a notice (the office only); the subject's lead answers and its co-units are copied by default."""
        data = s.OpenNoticeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        subject = selectors.subject_for(
            plan=plan_from(request),
            **{k: given.get(k) for k in ("target", "task", "task_update", "department", "period")},
        )
        notice = services.open_notice(
            subject=subject,
            by=request.user,
            title=given.get("title", ""),
            responsible=given.get("responsible"),
            copied=given.get("copied"),
            requirement=given["requirement"],
            deadline=given["deadline"],
            level=given["level"],
            today=timezone.localdate(),
        )
        return self._detail(notice.pk, status.HTTP_201_CREATED)

    def _step(self, request, serializer_class, perform) -> Response:
        notice = self.get_object()
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        perform(notice, request.user, data.validated_data, timezone.localdate())
        return self._detail(notice.pk)

    @extend_schema(request=s.AnswerSerializer, responses={200: s.NoticeDetailSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The responsible unit's answer (evidence files are attached on the web page)."""
        return self._step(
            request,
            s.AnswerSerializer,
            lambda n, u, d, t: services.answer_notice(
                notice=n, by=u, measures=d["measures"], planned_completion=d["planned_completion"]
            ),
        )

    @extend_schema(request=s.ExtensionRequestSerializer, responses={200: s.NoticeDetailSerializer})
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request, pk=None):
        return self._step(
            request,
            s.ExtensionRequestSerializer,
            lambda n, u, d, t: services.request_extension(notice=n, by=u, deadline=d["deadline"], reason=d["reason"]),
        )

    @extend_schema(request=s.DecisionSerializer, responses={200: s.NoticeDetailSerializer})
    @action(detail=True, methods=["post"], url_path="grant-extension")
    def grant_extension(self, request, pk=None):
        return self._step(
            request,
            s.DecisionSerializer,
            lambda n, u, d, t: services.grant_extension(notice=n, by=u, deadline=d["deadline"], text=d["text"]),
        )

    @extend_schema(request=s.DecisionSerializer, responses={200: s.NoticeDetailSerializer})
    @action(detail=True, methods=["post"], url_path="decline-extension")
    def decline_extension(self, request, pk=None):
        return self._step(
            request, s.DecisionSerializer, lambda n, u, d, t: services.decline_extension(notice=n, by=u, text=d["text"])
        )

    @extend_schema(request=s.DecisionSerializer, responses={200: s.NoticeDetailSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._step(
            request,
            s.DecisionSerializer,
            lambda n, u, d, t: services.return_notice(notice=n, by=u, text=d["text"], deadline=d["deadline"], today=t),
        )

    @extend_schema(request=s.DecisionSerializer, responses={200: s.NoticeDetailSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._step(
            request, s.DecisionSerializer, lambda n, u, d, t: services.close_notice(notice=n, by=u, text=d["text"])
        )

    @extend_schema(request=s.DecisionSerializer, responses={200: s.NoticeDetailSerializer})
    @action(detail=True, methods=["post"], url_path="raise-level")
    def raise_level(self, request, pk=None):
        return self._step(
            request,
            s.DecisionSerializer,
            lambda n, u, d, t: services.raise_level(notice=n, by=u, level=d["level"], text=d["text"]),
        )
