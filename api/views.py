"""API views: read through the apps' selectors, write through tasks.services; nothing decides here.

The plan's structure is public, as on the web pages; results, values and reports need a sign-in, and a
report someone may not see answers 404 (tasks.permissions.visible_reports), as on the pages.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from departments.models import Department
from departments.roles import department_of
from indicators.models import Indicator
from indicators.selectors import all_targets
from results.selectors import rollups, target_results_known_on, target_results_with_targets, task_results_with_tasks
from targets.models import Area, Plan, Task
from targets.selectors import responsibilities_in_order
from tasks import permissions, selectors, services
from tasks.models import QuarterlyReport, ReportingPeriod

from . import filters, report_serializers, serializers
from .params import AS_OF_PARAMETER, KNOWN_ON_PARAMETER, PLAN_PARAMETER, as_of_from, known_on_from, plan_from
from .writes import report_rows


class PublicReadOnly(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]


class PlanViewSet(PublicReadOnly):
    queryset = Plan.objects.select_related("jurisdiction").order_by("code")
    serializer_class = serializers.PlanSerializer
    lookup_field = "code"
    filterset_fields = ["status"]


class AreaViewSet(PublicReadOnly):
    queryset = Area.objects.select_related("plan").order_by("plan__code", "order")
    serializer_class = serializers.AreaSerializer
    filterset_class = filters.AreaFilter


class TaskViewSet(PublicReadOnly):
    queryset = (
        Task.objects.select_related("area")
        .prefetch_related(responsibilities_in_order())
        .order_by("area__plan__code", "area__order", "number")
    )
    serializer_class = serializers.TaskSerializer
    filterset_class = filters.TaskFilter


class DepartmentViewSet(PublicReadOnly):
    queryset = Department.objects.select_related("jurisdiction").prefetch_related("aliases").order_by("name")
    serializer_class = serializers.DepartmentSerializer
    filterset_class = filters.DepartmentFilter


class IndicatorViewSet(PublicReadOnly):
    queryset = Indicator.objects.select_related("plan").order_by("plan__code", "order")
    serializer_class = serializers.IndicatorSerializer
    filterset_class = filters.IndicatorFilter


class TargetViewSet(PublicReadOnly):
    queryset = all_targets()
    serializer_class = serializers.TargetSerializer
    filterset_class = filters.TargetFilter


class PeriodViewSet(PublicReadOnly):
    queryset = ReportingPeriod.objects.chronological(newest_first=True)
    serializer_class = serializers.PeriodSerializer
    filterset_fields = ["year", "quarter", "is_open"]


@extend_schema_view(list=extend_schema(parameters=[PLAN_PARAMETER, AS_OF_PARAMETER]))
class AsOfList(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Lists of one plan as of one quarter (?plan=, ?as_of=2025Q4); signed-in users only, as on the pages."""

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator inspects the model only
            return self.serializer_class.Meta.model.objects.none()
        self.plan = plan_from(self.request)
        self.as_of = as_of_from(self.request, self.plan)
        return self.rows(self.plan, self.as_of)

    def rows(self, plan, period):
        raise NotImplementedError


class ResultList(AsOfList):
    """Precomputed results; each row says whether demo reports went into it."""

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "plan"):
            context["is_demo"] = selectors.holds_demo_data(self.plan, up_to=self.as_of)
        return context


@extend_schema_view(list=extend_schema(parameters=[PLAN_PARAMETER, AS_OF_PARAMETER, KNOWN_ON_PARAMETER]))
class ApprovedValueViewSet(AsOfList):
    """Figures up to the quarter: the approved values of the reports the caller may see and the official figures,
    each with its kind; ?known_on= reads them as they were known on that day."""

    serializer_class = serializers.ApprovedValueSerializer
    filterset_class = filters.ApprovedValueFilter

    def rows(self, plan, period):
        reports = permissions.visible_reports(self.request.user, plan.reports.all())
        return selectors.approved_values(plan, reports, up_to=period, at=known_on_from(self.request))


@extend_schema_view(list=extend_schema(parameters=[PLAN_PARAMETER, AS_OF_PARAMETER, KNOWN_ON_PARAMETER]))
class TargetResultViewSet(ResultList):
    """Each target's status as of the quarter, on the figure its indicator's rule picks (`latest_kind`); with
    ?known_on= computed from the figures known on that day."""

    serializer_class = serializers.TargetResultSerializer
    filterset_class = filters.TargetResultFilter

    def rows(self, plan, period):
        return target_results_with_targets(plan, period)

    def list(self, request, *args, **kwargs):
        at = known_on_from(request)
        if at is None:
            return super().list(request, *args, **kwargs)
        stored = self.get_queryset()
        wanted = request.query_params.get("status")
        query = request.query_params.copy()
        query.pop("status", None)  # the status to filter on is the one known then, not today's
        filtered = self.filterset_class(query, queryset=stored, request=request)
        if not filtered.is_valid():
            return super().list(request, *args, **kwargs)
        computed = target_results_known_on(self.plan, self.as_of, at=at)
        rows = []
        for row in filtered.qs:
            then = computed.get(row.target_id)
            if then is not None and (not wanted or then.status == wanted):
                then.target, then.computed_at = row.target, timezone.now()
                rows.append(then)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class TaskResultViewSet(ResultList):
    serializer_class = serializers.TaskResultSerializer
    filterset_fields = ["status", "overdue"]

    def rows(self, plan, period):
        return task_results_with_tasks(plan, period)


class RollupViewSet(ResultList):
    serializer_class = serializers.RollupSerializer
    filterset_class = filters.RollupFilter

    def rows(self, plan, period):
        return rollups(plan, period)


class TimelinessViewSet(AsOfList):
    """Each owing unit's report of the quarter: on time, late, missing or not yet due, as of today."""

    serializer_class = serializers.TimelinessSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator inspects the model only
            return Department.objects.none()
        return super().get_queryset()

    def rows(self, plan, period):
        if period is None:
            return []
        units = list(selectors.reporting_departments(plan))
        states = selectors.report_timeliness(plan, [period], timezone.localdate(), departments=units)
        return [
            {"department": d.pk, "department_name": d.name, "as_of": period, "state": states[d.pk][period.pk]}
            for d in units
        ]


CONFLICT = OpenApiResponse(report_serializers.ConflictSerializer, description="Saved by someone else since `version`.")


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Quarterly reports the caller may see; start, save, submit and the review steps, as on the web pages."""

    serializer_class = report_serializers.ReportSerializer
    filterset_class = filters.ReportFilter

    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return permissions.visible_reports(self.request.user).select_related("plan", "department", "period")

    @extend_schema(responses=report_serializers.ReportDetailSerializer)
    def retrieve(self, request, pk=None):
        """One report with its rows and its history (who changed what, when)."""
        try:
            report = selectors.report_with_content(int(pk), self.get_queryset())
        except QuarterlyReport.DoesNotExist:
            raise NotFound from None
        return Response(report_serializers.ReportDetailSerializer(report, context={"request": request}).data)

    def _detail(self, report, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.report_with_content(report.pk, QuarterlyReport.objects.all())
        body = report_serializers.ReportDetailSerializer(fresh, context={"request": self.request}).data
        return Response(body, status=code)

    @extend_schema(
        request=report_serializers.StartReportSerializer,
        responses={201: report_serializers.ReportDetailSerializer},
    )
    def create(self, request):
        """Start (or fetch) the caller's department's report for a quarter."""
        data = report_serializers.StartReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = data.validated_data.get("plan") or plan_from(request)
        report = services.start_report(
            plan=plan, department=department_of(request.user), period=data.validated_data["period"], by=request.user
        )
        return self._detail(report, status.HTTP_201_CREATED)

    @extend_schema(
        request=report_serializers.SaveReportSerializer,
        responses={200: report_serializers.ReportDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def save(self, request, pk=None):
        """Save values and task updates as a draft; refused with 409 when someone saved since `version`."""
        report = self.get_object()
        data = report_serializers.SaveReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task_data, indicator_data = report_rows(report, data.validated_data["tasks"], data.validated_data["indicators"])
        services.save_draft(
            report=report,
            by=request.user,
            version=data.validated_data["version"],
            task_data=task_data,
            indicator_data=indicator_data,
        )
        return self._detail(report)

    @extend_schema(request=None, responses={200: report_serializers.ReportDetailSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._detail(services.submit_report(report=self.get_object(), by=request.user))

    def _review(self, request, step) -> Response:
        data = report_serializers.CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(step(self.get_object(), request.user, data.validated_data["comment"]))

    @extend_schema(
        request=report_serializers.CommentSerializer, responses={200: report_serializers.ReportDetailSerializer}
    )
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None):
        return self._review(request, lambda r, u, c: services.sign_off_report(report=r, by=u, approve=True, comment=c))

    @extend_schema(
        request=report_serializers.CommentSerializer, responses={200: report_serializers.ReportDetailSerializer}
    )
    @action(detail=True, methods=["post"], url_path="head-return")
    def head_return(self, request, pk=None):
        return self._review(request, lambda r, u, c: services.sign_off_report(report=r, by=u, approve=False, comment=c))

    @extend_schema(
        request=report_serializers.CommentSerializer, responses={200: report_serializers.ReportDetailSerializer}
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._review(request, lambda r, u, c: services.approve_report(report=r, by=u, comment=c))

    @extend_schema(
        request=report_serializers.CommentSerializer, responses={200: report_serializers.ReportDetailSerializer}
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._review(request, lambda r, u, c: services.return_report(report=r, by=u, comment=c))

    @extend_schema(
        request=report_serializers.CommentSerializer, responses={200: report_serializers.ReportDetailSerializer}
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._review(request, lambda r, u, c: services.reopen_report(report=r, by=u, reason=c))

    @extend_schema(
        request=report_serializers.DismissFlagSerializer, responses={200: report_serializers.ReportDetailSerializer}
    )
    @action(detail=True, methods=["post"], url_path=r"flags/(?P<flag_pk>\d+)/dismiss", url_name="flag-dismiss")
    def dismiss_flag(self, request, pk=None, flag_pk=None):
        """The office dismisses one check prompt with its reason (kept with the prompt and in the history)."""
        report = self.get_object()
        flag = get_object_or_404(report.quality_flags.all(), pk=flag_pk)
        reason = request.data.get("reason")  # the service checks who may, then that it is given and its length
        services.dismiss_flag(flag=flag, by=request.user, reason=reason if isinstance(reason, str) else "")
        return self._detail(report)
