from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import Target
from supervision.models import Level, Notice
from targets.models import Task
from tasks.limits import LONG_TEXT

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    held_on = forms.DateField(label=_("held on"), widget=DATE)
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    chair = forms.CharField(label=_("chaired by"), max_length=100, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("units attending"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(
        label=_("summary"), max_length=LONG_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = units


class TopicForm(forms.Form):
    title = forms.CharField(label=_("topic"), max_length=200)
    discussion = forms.CharField(
        label=_("discussion"), max_length=LONG_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    tasks = forms.ModelMultipleChoiceField(label=_("tasks discussed"), queryset=None, required=False)
    targets = forms.ModelMultipleChoiceField(label=_("targets discussed"), queryset=None, required=False)
    notices = forms.ModelMultipleChoiceField(label=_("notices discussed"), queryset=None, required=False)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].queryset = Task.objects.filter(area__plan=plan).select_related("area")
        self.fields["targets"].queryset = Target.objects.filter(indicator__plan=plan).select_related("indicator")
        self.fields["notices"].queryset = Notice.objects.filter(plan=plan).exclude(status="closed")


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("decision"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3}))
    topic = forms.ModelChoiceField(label=_("topic"), queryset=None, required=False)
    responsible = forms.ModelChoiceField(label=_("responsible unit"), queryset=None)
    deadline = forms.DateField(label=_("deadline"), widget=DATE)
    level = forms.ChoiceField(label=_("level"), choices=Level.choices, initial=Level.SUPERVISE)

    def __init__(self, *args, meeting, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = meeting.topics.all()
        self.fields["responsible"].queryset = units
