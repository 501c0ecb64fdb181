from django.contrib import admin

from targets.admin import TaskAdmin
from targets.models import Task

from .models import Indicator, Target

OFFICE_EDITABLE = {"value", "assigned_document"}


class PlanWordsReadOnly:
    """The plan's own words are fixed; the office records only what the city assigns (value and document)."""

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return [f.name for f in Target._meta.fields if f.name not in OFFICE_EDITABLE | {"id"}]


class TargetInline(PlanWordsReadOnly, admin.StackedInline):
    model = Target
    fields = [
        ("period", "comparator", "value"),
        ("baseline_year", "is_aspirational", "reference"),
        "assigned_document",
        "task",
        "quote",
        "order",
    ]
    raw_id_fields = ["task"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "unit", "value_kind", "reporting_department", "baseline_value", "baseline_year"]
    list_filter = ["plan", "value_kind", "direction", "reporting_department"]
    search_fields = ["name", "code", "targets__quote"]
    autocomplete_fields = ["reporting_department"]
    list_select_related = ["reporting_department"]
    inlines = [TargetInline]

    def get_readonly_fields(self, request, obj=None):
        """The office sets who reports, baselines and plausible ranges; what is measured stays as curated."""
        if request.user.is_superuser:
            return []
        return ["plan", "code", "name", "unit", "value_kind", "direction", "order"]


@admin.register(Target)
class TargetAdmin(PlanWordsReadOnly, admin.ModelAdmin):
    list_display = ["indicator", "period", "comparator", "value", "baseline_year", "is_aspirational", "task"]
    list_filter = ["period", "comparator", "is_aspirational", "indicator__plan"]
    search_fields = ["indicator__name", "quote"]
    list_select_related = ["indicator", "task__area"]
    raw_id_fields = ["task"]


class TaskTargetInline(admin.TabularInline):
    """A task in the admin shows its targets beside its departments."""

    model = Target
    fields = ["indicator", "period", "comparator", "value", "quote"]
    readonly_fields = ["indicator", "period", "comparator", "value", "quote"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


admin.site.unregister(Task)


@admin.register(Task)
class TaskWithTargetsAdmin(TaskAdmin):
    inlines = [*TaskAdmin.inlines, TaskTargetInline]
