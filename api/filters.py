"""Query-string filters of the lists (django-filter); each names the field a client would search by."""

import django_filters
from django.utils.translation import gettext as _

from departments.models import Department
from indicators.models import Indicator, Target
from results.models import Rollup, TargetResult, TargetStatus
from targets.models import Area, Task
from tasks.models import IndicatorValue, QuarterlyReport, ReportStatus


class StrictFilterSet(django_filters.FilterSet):
    """A filter named in the query must have a value: ?comparator= is a mistake to report, not "any"."""

    def is_valid(self):
        valid = super().is_valid()
        for name in self.filters:
            if name in self.data and not str(self.data.get(name, "")).strip():
                self.form.add_error(name, _("Give a value, or leave the parameter out."))
                valid = False
        return valid


class AreaFilter(StrictFilterSet):
    plan = django_filters.CharFilter(field_name="plan__code")

    class Meta:
        model = Area
        fields = ["plan", "kind"]


class TaskFilter(StrictFilterSet):
    plan = django_filters.CharFilter(field_name="area__plan__code")
    department = django_filters.NumberFilter(field_name="responsibilities__department", distinct=True)

    class Meta:
        model = Task
        fields = ["plan", "area", "department"]


class DepartmentFilter(StrictFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Department
        fields = ["kind", "name"]


class IndicatorFilter(StrictFilterSet):
    plan = django_filters.CharFilter(field_name="plan__code")
    department = django_filters.NumberFilter(field_name="reporting_department")

    class Meta:
        model = Indicator
        fields = ["plan", "department", "value_kind", "code"]


class TargetFilter(StrictFilterSet):
    plan = django_filters.CharFilter(field_name="indicator__plan__code")
    area = django_filters.NumberFilter(field_name="task__area")

    class Meta:
        model = Target
        fields = ["plan", "indicator", "task", "area", "period", "comparator"]


class ApprovedValueFilter(StrictFilterSet):
    department = django_filters.NumberFilter(field_name="report__department")

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "department", "kind"]


class TargetResultFilter(StrictFilterSet):
    status = django_filters.ChoiceFilter(choices=TargetStatus.choices)
    indicator = django_filters.NumberFilter(field_name="target__indicator")
    area = django_filters.NumberFilter(field_name="target__task__area")
    department = django_filters.NumberFilter(field_name="target__indicator__reporting_department")

    class Meta:
        model = TargetResult
        fields = ["status", "indicator", "area", "department"]


class RollupFilter(StrictFilterSet):
    class Meta:
        model = Rollup
        fields = ["scope", "area", "department"]


class ReportFilter(StrictFilterSet):
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)
    year = django_filters.NumberFilter(field_name="period__year")
    quarter = django_filters.NumberFilter(field_name="period__quarter")

    class Meta:
        model = QuarterlyReport
        fields = ["status", "department", "period", "year", "quarter"]
