"""The forms of the notice pages; the rules themselves are in services (the forms only parse)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tasks.forms import EVIDENCE_ACCEPT
from tasks.limits import LONG_TEXT

from .models import Level, Status

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class OpenNoticeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    responsible = forms.ModelChoiceField(label=_("Responsible unit"), queryset=None)
    copied = forms.ModelMultipleChoiceField(
        label=_("Copied units"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    requirement = forms.CharField(
        label=_("Requirement"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices, initial=Level.SUPERVISE)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = units
        self.fields["copied"].queryset = units


class AnswerForm(forms.Form):
    measures = forms.CharField(
        label=_("Measures taken (整改措施)"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    planned_completion = forms.DateField(label=_("Planned completion date"), widget=DATE)
    files = MultipleFileField(label=_("Evidence files"), required=False)


class ExtensionForm(forms.Form):
    deadline = forms.DateField(label=_("New deadline asked for"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    """The office's steps: a text, and for some a date or a level."""

    text = forms.CharField(
        label=_("Comment"), max_length=LONG_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = forms.DateField(label=_("New deadline"), required=False, widget=DATE)
    level = forms.ChoiceField(label=_("New level"), choices=[("", "—"), *Level.choices], required=False)


class NoticeFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Status.choices, ("overdue", _("Overdue"))]
    )
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("All")), *Level.choices])
    unit = forms.ModelChoiceField(label=_("Unit"), required=False, queryset=None, empty_label=_("All"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
