from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SCHEME_FIELDS, AnnualEvaluation


class EvaluationForm(forms.ModelForm):
    """The office's texts and assessment rules; `version` detects a colleague's save in between."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = AnnualEvaluation
        fields = ["introduction", "conclusions", *SCHEME_FIELDS]
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 6}),
            "conclusions": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weight_responsiveness"].required = False  # added later: a form without it keeps the stored share

    def clean_weight_responsiveness(self):
        value = self.cleaned_data.get("weight_responsiveness")
        return self.instance.weight_responsiveness if value is None else value


class AdjustmentForm(forms.Form):
    department = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    points = forms.DecimalField(label=_("Points added"), min_value=-20, max_value=20, decimal_places=1, max_digits=4)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why reopen the final report"), widget=forms.Textarea(attrs={"rows": 2}))
