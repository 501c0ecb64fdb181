"""The report form: one sub-form per task and per indicator, validated by the shared rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from progress.authority import FigureKind

from .evidence import check_evidence_file
from .figures import parse_figure, plain
from .limits import FIELD_LIMITS
from .models import EVIDENCE_FIELD, IndicatorValue, QuarterlyReport, TaskStatus, TaskUpdate
from .official import OfficialEntry, check_official
from .selectors import last_approved_updates, last_approved_values, role_in_task
from .services import CONFIRM_CARRIED, INDICATOR_FIELDS, TASK_FIELDS, ReportErrors
from .validation import TASK_REQUIRED_ON_SUBMIT, check_indicator_value, check_task_update

REACHED_CHOICES = [("", _("Not reported")), ("yes", _("Reached")), ("no", _("Not yet reached"))]
EVIDENCE_ACCEPT = ".pdf,.png,.jpg,.jpeg,.doc,.docx,.xls,.xlsx,.pptx"


class FigureField(forms.Field):
    """A number typed as text and read by tasks.figures: nothing typed is dropped on the way to the server."""

    def __init__(self, *, whole: bool = False, **kwargs):
        self.whole = whole
        attrs = {"inputmode": "numeric" if whole else "decimal", "autocomplete": "off", "class": "figure"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def to_python(self, value):
        return parse_figure(value, whole=self.whole)

    def prepare_value(self, value):
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return plain(value)
        return value


class ItemForm(forms.Form):
    """What a task's and an indicator's sub-forms share: the fields a submit requires, and a state for the
    form's table of contents (done, to do, has errors)."""

    required_on_submit: tuple[str, ...] = ()
    awaits_confirmation = False

    def mark_required(self) -> None:
        for name in self.required_on_submit:
            if name in self.fields:
                self.fields[name].required_on_submit = True

    def _filled(self, name: str) -> bool:
        if name not in self.fields:
            return True
        value = self[name].value()
        return value not in (None, "") and not (isinstance(value, str) and not value.strip())

    @property
    def state(self) -> str:
        if self.is_bound and self.errors:
            return "error"
        return (
            "done" if all(self._filled(n) for n in self.required_on_submit) and not self.awaits_confirmation else "todo"
        )


class TaskUpdateForm(ItemForm):
    required_on_submit = TASK_REQUIRED_ON_SUBMIT

    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *TaskStatus.choices], required=False)
    percent_complete = FigureField(label=_("Percent complete"), whole=True, required=False)
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
    confirm_carried = forms.BooleanField(label=_("Checked: still true this quarter"), required=False)
    evidence = forms.FileField(
        label=_("Attach a file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
        help_text=_("PDF, images or Office files; the file is uploaded when you save."),
    )

    def __init__(self, *args, update: TaskUpdate, role: str, last: TaskUpdate | None = None, **kwargs):
        self.update = update
        self.role = role
        self.last = last
        super().__init__(*args, prefix=f"t{update.task_id}", **kwargs)
        if not update.carried_over:
            del self.fields[CONFIRM_CARRIED]
        self.mark_required()

    @property
    def awaits_confirmation(self) -> bool:
        return CONFIRM_CARRIED in self.fields and not self._filled(CONFIRM_CARRIED)

    def clean_evidence(self):
        upload = self.cleaned_data.get(EVIDENCE_FIELD)
        if upload:
            try:
                check_evidence_file(upload)
            except ValidationError as refused:
                raise ValidationError([*refused.messages, _("Choose a suitable file, or save without one.")]) from None
        return upload

    def clean(self):
        data = super().clean()
        for name, message in check_task_update(data, complete=False).items():
            self.add_error(name, message)
        return data


class IndicatorValueForm(ItemForm):
    required_on_submit = ("value", "reached", "data_source")

    value = FigureField(label=_("Value this quarter"), required=False)
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

    def __init__(self, *args, row: IndicatorValue, last: IndicatorValue | None = None, **kwargs):
        self.row = row
        self.indicator = row.indicator
        self.last = last
        self.previous = last.value if last is not None else None
        super().__init__(*args, prefix=f"i{row.indicator_id}", **kwargs)
        if self.indicator.is_milestone:
            del self.fields["value"]
            del self.fields["change_explanation"]
        else:
            del self.fields["reached"]
            attrs = self.fields["value"].widget.attrs
            attrs["data-unit"] = self.indicator.unit
            if self.previous is not None:
                attrs["data-previous"] = plain(self.previous)
                attrs["data-share"] = plain(self.indicator.change_warning_share)
        self.mark_required()

    def clean(self):
        data = super().clean()
        problems = check_indicator_value(self.indicator, data, previous=self.previous, complete=False)
        for name, message in problems.items():
            self.add_error(name if name in self.fields else None, message)
        return data


class ReportForm:
    """All sub-forms of one report, with the version the user started from."""

    def __init__(self, report: QuarterlyReport, data=None, files=None):
        self.report = report
        self.data = data
        self.version = _version(data.get("version")) if data is not None else report.version
        department = report.department
        last_updates, last_values = last_approved_updates(report), last_approved_values(report)
        self.task_forms = [
            TaskUpdateForm(
                data,
                files,
                update=u,
                role=role_in_task(u.task, department),
                last=last_updates.get(u.task_id),
                initial=None if data is not None else {f: getattr(u, f) for f in TASK_FIELDS},
            )
            for u in report.task_updates.all()
        ]
        self.indicator_forms = [
            IndicatorValueForm(
                data,
                row=v,
                last=last_values.get(v.indicator_id),
                initial=None if data is not None else _indicator_initial(v),
            )
            for v in report.indicator_values.all()
        ]

    def is_valid(self) -> bool:
        results = [f.is_valid() for f in self.items]
        return all(results)

    @property
    def task_data(self) -> dict[int, dict]:
        return {
            f.update.task_id: {k: f.cleaned_data.get(k) for k in (*TASK_FIELDS, CONFIRM_CARRIED)}
            for f in self.task_forms
        }

    @property
    def uploads(self) -> dict[int, object]:
        return {
            f.update.task_id: f.cleaned_data[EVIDENCE_FIELD]
            for f in self.task_forms
            if f.cleaned_data.get(EVIDENCE_FIELD)
        }

    @property
    def items(self) -> list[ItemForm]:
        return [*self.task_forms, *self.indicator_forms]

    def field_errors(self) -> dict[str, list[str]]:
        """Errors by the input's name, for the autosave's answer."""
        return {
            form.add_prefix(name) if name != "__all__" else form.prefix: list(messages)
            for form in self.items
            for name, messages in form.errors.items()
        }

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
                form.add_error(name if name in form.fields else None, message)
        for form in self.indicator_forms:
            for name, message in errors.indicators.get(form.row.indicator_id, {}).items():
                form.add_error(name if name in form.fields else None, message)

    @property
    def error_count(self) -> int:
        return sum(len(f.errors) for f in self.items)


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


def review_comment(report: QuarterlyReport, data) -> str:
    """The whole report's comment, then each item's under its name, as one text the unit reads at the top of
    its report and the history keeps."""
    lines = [(data.get("comment") or "").strip()]
    for update in report.task_updates.select_related("task__area"):
        text = (data.get(f"item-task-{update.task_id}") or "").strip()
        lines.append(f"【{update.task.code} {update.task.title}】{text}" if text else "")
    for row in report.indicator_values.current().select_related("indicator"):
        text = (data.get(f"item-indicator-{row.indicator_id}") or "").strip()
        lines.append(f"【{row.indicator.name}】{text}" if text else "")
    return "\n".join(line for line in lines if line)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence file"))


class OfficialFigureForm(forms.Form):
    """One official figure, typed in: the indicator, the quarter (Q4 for a year's figure), the kind and the document."""

    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=None)
    period = forms.ModelChoiceField(label=_("Quarter (Q4 for a year's figure)"), queryset=None)
    kind = forms.ChoiceField(
        label=_("Kind of figure"),
        choices=[(FigureKind.PROVISIONAL, _("Provisional (初步)")), (FigureKind.FINAL, _("Final (核实)"))],
        widget=forms.RadioSelect,
        initial=FigureKind.FINAL,
    )
    value = FigureField(label=_("Value"))
    source_issuer = forms.CharField(label=_("Issued by"), max_length=FIELD_LIMITS["source_issuer"])
    source_title = forms.CharField(label=_("Document (title or 文号)"), max_length=FIELD_LIMITS["source_title"])
    source_date = forms.DateField(
        label=_("Document date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Why (for a revision)"),
        required=False,
        max_length=FIELD_LIMITS["reason"],
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, indicators, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators
        self.fields["period"].queryset = periods

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        for name, message in check_official(self.entry()).items():
            self.add_error(name if name in self.fields else None, message)
        return data

    def entry(self) -> OfficialEntry:
        data = self.cleaned_data
        return OfficialEntry(
            indicator=data["indicator"],
            period=data["period"],
            kind=FigureKind(data["kind"]),
            value=data["value"],
            source_issuer=data["source_issuer"],
            source_title=data["source_title"],
            source_date=data.get("source_date"),
        )
