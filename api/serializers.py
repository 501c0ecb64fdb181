"""How the API shows the plan, its periods and its precomputed results (reports: report_serializers.py)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from departments.models import Department
from indicators.models import Indicator, Target
from progress.timeliness import Timeliness
from results.models import Rollup, TargetResult, TaskResult
from targets.models import Area, Plan, Responsibility, Task
from tasks.models import IndicatorValue, ReportingPeriod

from .params import quarter_label


@extend_schema_field(OpenApiTypes.STR)
class QuarterField(serializers.Field):
    """A reporting period shown as its label, 2025Q4."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: ReportingPeriod) -> str:
        return quarter_label(value)


# --- the plan ----------------------------------------------------------------------------------------------


class PlanSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.CharField(source="jurisdiction.name", read_only=True)

    class Meta:
        model = Plan
        fields = ["code", "title", "jurisdiction", "issuer", "issued_on", "status"]


class AreaSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.code", read_only=True)

    class Meta:
        model = Area
        fields = ["id", "plan", "kind", "order", "number", "title", "intro"]


class ResponsibilitySerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Responsibility
        fields = ["department", "department_name", "role", "order", "name_as_written"]


class TaskSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)
    responsibilities = ResponsibilitySerializer(many=True, read_only=True)

    class Meta:
        model = Task
        fields = ["id", "area", "code", "number", "title", "body", "responsibility_text", "responsibilities"]


class DepartmentSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.CharField(source="jurisdiction.name", read_only=True)
    aliases = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = Department
        fields = ["id", "name", "kind", "jurisdiction", "aliases", "requires_head_signoff"]


class IndicatorSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.code", read_only=True)
    is_milestone = serializers.BooleanField(read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "plan",
            "code",
            "name",
            "unit",
            "value_kind",
            "direction",
            "is_milestone",
            "reporting_department",
            "min_value",
            "max_value",
            "baseline_value",
            "baseline_year",
        ]


class TargetSerializer(serializers.ModelSerializer):
    target_year = serializers.IntegerField(read_only=True, allow_null=True)
    unit = serializers.CharField(read_only=True)

    class Meta:
        model = Target
        fields = [
            "id",
            "indicator",
            "task",
            "period",
            "target_year",
            "comparator",
            "value",
            "unit",
            "baseline_year",
            "is_aspirational",
            "quote",
            "assigned_document",
        ]


class PeriodSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()

    class Meta:
        model = ReportingPeriod
        fields = ["id", "label", "year", "quarter", "opens_on", "due_on", "is_open"]

    def get_label(self, period) -> str:
        return quarter_label(period)


# --- results -----------------------------------------------------------------------------------------------


class ApprovedValueSerializer(serializers.ModelSerializer):
    """A figure: a department's approved value (`kind` reported) or an official one (provisional, final) with its
    document; `version` and `valid_from` say which version it is and since when it is known."""

    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    department = serializers.IntegerField(source="report.department_id", read_only=True, allow_null=True)
    department_name = serializers.CharField(source="report.department.name", read_only=True, allow_null=True)
    quarter = QuarterField(source="period")
    report = serializers.IntegerField(source="report_id", read_only=True, allow_null=True)
    approved_at = serializers.DateTimeField(source="valid_from", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    is_demo = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "indicator",
            "indicator_code",
            "quarter",
            "kind",
            "kind_label",
            "version",
            "value",
            "reached",
            "data_source",
            "note",
            "source_issuer",
            "source_title",
            "source_date",
            "department",
            "department_name",
            "report",
            "approved_at",
            "valid_from",
            "is_demo",
        ]

    def get_is_demo(self, row) -> bool:
        return bool(row.report and row.report.is_demo)


class FromDemoData(serializers.Serializer):
    """Results computed from demo reports say so (the view puts the answer in the context, one query a page)."""

    is_demo = serializers.SerializerMethodField()

    def get_is_demo(self, row) -> bool:
        return bool(self.context.get("is_demo"))


class TargetResultSerializer(FromDemoData, serializers.ModelSerializer):
    indicator = serializers.IntegerField(source="target.indicator_id", read_only=True)
    as_of = QuarterField(source="period")
    latest_figures = serializers.JSONField(read_only=True)
    figures_beside = serializers.SerializerMethodField()

    class Meta:
        model = TargetResult
        fields = [
            "target",
            "indicator",
            "as_of",
            "status",
            "target_value",
            "latest_value",
            "progress",
            "expected",
            "forecast",
            "forecast_meets",
            "judged_value",
            "baseline_value",
            "baseline_on",
            "latest_kind",
            "latest_figures",
            "figures_beside",
            "judged_kind",
            "computed_at",
            "is_demo",
        ]

    def get_figures_beside(self, row) -> str:
        """部门报送 6.8 %，统计核实 6.5 %: the kinds known for the latest value's quarter, when they differ."""
        return row.figures_beside(row.target.indicator.unit)


class TaskResultSerializer(FromDemoData, serializers.ModelSerializer):
    as_of = QuarterField(source="period")
    co_departments = serializers.JSONField(read_only=True)

    class Meta:
        model = TaskResult
        fields = ["task", "as_of", "status", "percent_complete", "overdue", "co_departments", "computed_at", "is_demo"]


class StatusCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    share = serializers.FloatField()


class RollupSerializer(FromDemoData, serializers.ModelSerializer):
    """Counts and shares by status (tasks also `overdue`); timeliness counts quarters on time, late, missing."""

    as_of = QuarterField(source="period")
    targets = serializers.DictField(child=StatusCountSerializer(), read_only=True)
    tasks = serializers.DictField(child=StatusCountSerializer(), read_only=True)
    timeliness = serializers.DictField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = Rollup
        fields = ["scope", "area", "department", "as_of", "targets", "tasks", "timeliness", "computed_at", "is_demo"]


class TimelinessSerializer(serializers.Serializer):
    """One owing unit's report for the quarter: on_time, late, missing or pending (not yet due), as on every page."""

    department = serializers.IntegerField(read_only=True)
    department_name = serializers.CharField(read_only=True)
    as_of = QuarterField()
    state = serializers.ChoiceField(choices=[str(t) for t in Timeliness], read_only=True)
