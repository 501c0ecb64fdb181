from django import forms
from django.utils.translation import gettext_lazy as _

from tasks.limits import LONG_TEXT


class TextsForm(forms.Form):
    """The office's introduction and closing; `version` detects a colleague's save in between."""

    introduction = forms.CharField(
        label=_("Introduction"), required=False, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 6})
    )
    closing = forms.CharField(
        label=_("Next steps and requests to the city"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=LONG_TEXT)
