"""Filters of the targets table; links keep them in the query string so views can be shared."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Comparator, Period, Target


class TargetFilter(django_filters.FilterSet):
    period = django_filters.ChoiceFilter(label=_("Period"), choices=Period.choices, empty_label=_("All"))
    comparator = django_filters.ChoiceFilter(label=_("Comparator"), choices=Comparator.choices, empty_label=_("All"))
    area = django_filters.ChoiceFilter(label=_("Section"), method="filter_area", empty_label=_("All"))
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")

    class Meta:
        model = Target
        fields = ["period", "comparator"]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("main", "主要目标")] + [(str(a.order), a.title) for a in plan.areas.order_by("order")]
        self.filters["area"].extra["choices"] = choices

    def filter_area(self, queryset, name, value):
        if value == "main":
            return queryset.filter(task__isnull=True)
        return queryset.filter(task__area__order=value)

    def filter_text(self, queryset, name, value):
        return queryset.filter(indicator__name__icontains=value) | queryset.filter(quote__icontains=value)
