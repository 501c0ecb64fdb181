from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import IndicatorValue, QuarterlyReport, ReportEvent, ReportingPeriod, TaskUpdate, default_window


class ReportingPeriodForm(forms.ModelForm):
    class Meta:
        model = ReportingPeriod
        fields = ["year", "quarter", "opens_on", "due_on", "is_open"]
        help_texts = {
            "opens_on": _("Leave empty for the first day of the quarter's last month."),
            "due_on": _("Leave empty for the 10th day after the quarter ends."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opens_on"].required = False
        self.fields["due_on"].required = False

    def clean(self):
        data = super().clean()
        if data.get("year") and data.get("quarter"):
            opens, due = default_window(data["year"], int(data["quarter"]))
            data["opens_on"] = data.get("opens_on") or opens
            data["due_on"] = data.get("due_on") or due
        return data


class PeriodRowForm(forms.ModelForm):
    """A row of the editable period list: the table gives its inputs no <label>, so each names its quarter and column."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{self.instance} {field.label}"


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    form = ReportingPeriodForm
    list_display = ["__str__", "opens_on", "due_on", "is_open"]
    list_editable = ["due_on", "is_open"]
    list_filter = ["year", "is_open"]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=PeriodRowForm, **kwargs)


class TaskUpdateInline(admin.TabularInline):
    model = TaskUpdate
    fields = ["task", "status", "percent_complete", "major_problem"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    fields = ["at", "actor", "action", "status_before", "status_after", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(ReadOnlyAdmin):
    """Read-only here: reports change only through the reporting pages, which keep the history."""

    list_display = ["department", "period", "status", "is_late", "submitted_at", "is_demo"]
    list_filter = ["status", "is_late", "period", "is_demo"]
    search_fields = ["department__name"]
    list_select_related = ["department", "period"]
    inlines = [TaskUpdateInline, ReportEventInline]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdmin):
    """Every version of every figure, for reading: a figure changes only by a new version (reopening a report, or
    recording an official figure), never by editing here."""

    list_display = ["indicator", "period", "kind", "version", "value", "valid_from", "superseded_at", "recorded_by"]
    list_filter = ["kind", "period", "indicator__plan"]
    search_fields = ["indicator__name", "source_title", "reason"]
    list_select_related = ["indicator", "period", "recorded_by"]
