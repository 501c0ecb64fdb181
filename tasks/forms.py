"""The report form: one sub-form per task and per indicator, validated by the shared rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .limits import FIELD_LIMITS
from .models import IndicatorValue, QuarterlyReport, TaskStatus, TaskUpdate
from .selectors import role_in_task
from .services import INDICATOR_FIELDS, TASK_FIELDS, ReportErrors
from .validation import check_indicator_value, check_task_update

REACHED_CHOICES = [("", _("Not reported")), ("yes", _("Reached")), ("no", _("Not yet reached"))]


class TaskUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *TaskStatus.choices], required=False)
    percent_complete = forms.IntegerField(
        label=_("Percent complete"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1, "class": "narrow"}),
        error_messages={"invalid": _("Enter a whole number from 0 to 100.")},
    )
    work_done = forms.CharField(
        label=_("Work done this quarter"),
        required=False,
        max_length=FIELD_LIMITS["work_done"],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    problems = forms.CharField(
        label=_("Problems met"),
        required=False,
        max_length=FIELD_LIMITS["problems"],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    next_steps = forms.CharField(
        label=_("Plan for next quarter"),
        required=False,
        max_length=FIELD_LIMITS["next_steps"],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    major_problem = forms.BooleanField(label=_("Major problem: report to the office at once"), required=False)

    def __init__(self, *args, update: TaskUpdate, role: str, **kwargs):
        self.update = update
        self.role = role
        super().__init__(*args, prefix=f"t{update.task_id}", **kwargs)

    def clean(self):
        data = super().clean()
        for name, message in check_task_update(data, complete=False).items():
            self.add_error(name, message)
        return data


class IndicatorValueForm(forms.Form):
    value = forms.DecimalField(
        label=_("Value this quarter"),
        required=False,
        max_digits=14,
        decimal_places=4,
        error_messages={"invalid": _("Enter a number, such as 12.5.")},
    )
    reached = forms.TypedChoiceField(
        label=_("Milestone"),
        choices=REACHED_CHOICES,
        required=False,
        coerce=lambda v: v == "yes",
        empty_value=None,
    )
    data_source = forms.CharField(label=_("Data source"), required=False, max_length=FIELD_LIMITS["data_source"])
    note = forms.CharField(
        label=_("Note"), required=False, max_length=FIELD_LIMITS["note"], widget=forms.Textarea(attrs={"rows": 2})
    )
    change_explanation = forms.CharField(
        label=_("Explanation of a large change"),
        required=False,
        max_length=FIELD_LIMITS["change_explanation"],
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, row: IndicatorValue, previous: Decimal | None, **kwargs):
        self.row = row
        self.indicator = row.indicator
        self.previous = previous
        super().__init__(*args, prefix=f"i{row.indicator_id}", **kwargs)
        if self.indicator.is_milestone:
            del self.fields["value"]
            del self.fields["change_explanation"]
        else:
            del self.fields["reached"]
            self.fields["value"].widget.attrs["data-unit"] = self.indicator.unit

    def clean(self):
        data = super().clean()
        problems = check_indicator_value(self.indicator, data, previous=self.previous, complete=False)
        for name, message in problems.items():
            self.add_error(name if name in self.fields else None, message)
        return data


class ReportForm:
    """All sub-forms of one report, with the version the user started from."""

    def __init__(self, report: QuarterlyReport, previous: dict, data=None):
        self.report = report
        self.data = data
        self.version = _version(data.get("version")) if data is not None else report.version
        department = report.department
        self.task_forms = [
            TaskUpdateForm(
                data,
                update=u,
                role=role_in_task(u.task, department),
                initial=None if data is not None else {f: getattr(u, f) for f in TASK_FIELDS},
            )
            for u in report.task_updates.all()
        ]
        self.indicator_forms = [
            IndicatorValueForm(
                data,
                row=v,
                previous=previous.get(v.indicator_id),
                initial=None if data is not None else _indicator_initial(v),
            )
            for v in report.indicator_values.all()
        ]

    def is_valid(self) -> bool:
        results = [f.is_valid() for f in self.task_forms + self.indicator_forms]
        return all(results)

    @property
    def task_data(self) -> dict[int, dict]:
        return {f.update.task_id: {k: f.cleaned_data.get(k) for k in TASK_FIELDS} for f in self.task_forms}

    @property
    def indicator_data(self) -> dict[int, dict]:
        return {
            f.row.indicator_id: {k: f.cleaned_data[k] for k in INDICATOR_FIELDS if k in f.cleaned_data}
            for f in self.indicator_forms
        }

    def add_errors(self, errors: ReportErrors) -> None:
        """Place errors found by a service (such as missing fields on submit) next to their fields."""
        for form in self.task_forms:
            for name, message in errors.tasks.get(form.update.task_id, {}).items():
                form.add_error(name, message)
        for form in self.indicator_forms:
            for name, message in errors.indicators.get(form.row.indicator_id, {}).items():
                form.add_error(name if name in form.fields else None, message)

    @property
    def error_count(self) -> int:
        return sum(len(f.errors) for f in self.task_forms + self.indicator_forms)


def _version(raw) -> int:
    """A tampered or missing version counts as 0, which the service then refuses as a conflict."""
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 0


def _indicator_initial(row: IndicatorValue) -> dict:
    initial = {f: getattr(row, f) for f in INDICATOR_FIELDS}
    if row.reached is not None:
        initial["reached"] = "yes" if row.reached else "no"
    return initial


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=FIELD_LIMITS["comment"],
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence file"))
