"""Query-string filters of the lists (django-filter); each names the field a client would search by."""

import django_filters

from departments.models import Department
from indicators.models import Indicator, Target
from results.models import Rollup, TargetResult, TargetStatus
from targets.models import Area, Task
from tasks.models import IndicatorValue, QuarterlyReport, ReportStatus


class AreaFilter(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="plan__code")

    class Meta:
        model = Area
        fields = ["plan", "kind"]


class TaskFilter(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="area__plan__code")
    department = django_filters.NumberFilter(field_name="responsibilities__department", distinct=True)

    class Meta:
        model = Task
        fields = ["plan", "area", "department"]


class DepartmentFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Department
        fields = ["kind", "name"]


class IndicatorFilter(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="plan__code")
    department = django_filters.NumberFilter(field_name="reporting_department")

    class Meta:
        model = Indicator
        fields = ["plan", "department", "value_kind", "code"]


class TargetFilter(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="indicator__plan__code")
    area = django_filters.NumberFilter(field_name="task__area")

    class Meta:
        model = Target
        fields = ["plan", "indicator", "task", "area", "period", "comparator"]


class ApprovedValueFilter(django_filters.FilterSet):
    department = django_filters.NumberFilter(field_name="report__department")

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "department"]


class TargetResultFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TargetStatus.choices)
    indicator = django_filters.NumberFilter(field_name="target__indicator")
    area = django_filters.NumberFilter(field_name="target__task__area")
    department = django_filters.NumberFilter(field_name="target__indicator__reporting_department")

    class Meta:
        model = TargetResult
        fields = ["status", "indicator", "area", "department"]


class RollupFilter(django_filters.FilterSet):
    class Meta:
        model = Rollup
        fields = ["scope", "area", "department"]


class ReportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)
    year = django_filters.NumberFilter(field_name="period__year")
    quarter = django_filters.NumberFilter(field_name="period__quarter")

    class Meta:
        model = QuarterlyReport
        fields = ["status", "department", "period", "year", "quarter"]
