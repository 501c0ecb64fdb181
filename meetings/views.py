"""Meeting pages: thin callers of meetings.services, selectors and permissions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from targets.selectors import default_plan_or_404
from tasks.selectors import reporting_departments

from . import minutes, selectors, services
from .forms import DecisionForm, MeetingForm, TopicForm
from .models import Meeting
from .permissions import can_record, visible_meetings


def _meeting(request, pk) -> Meeting:
    try:
        return selectors.meeting_with_minutes(pk, visible_meetings(request.user))
    except Meeting.DoesNotExist:
        raise Http404 from None


def _only_office(request) -> None:
    if not can_record(request.user):
        raise PermissionDenied(_("Only the office records dispatch meetings."))


@login_required
def meeting_list(request):
    meetings = selectors.meeting_list(visible_meetings(request.user))
    context = {"plan": default_plan_or_404(), "meetings": meetings, "can_record": can_record(request.user)}
    return render(request, "meetings/meeting_list.html", context)


@login_required
def meeting_create(request):
    _only_office(request)
    plan = default_plan_or_404()
    form = MeetingForm(request.POST or None, units=reporting_departments(plan))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.record_meeting(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The meeting is recorded; add its topics and decisions."))
            return redirect("meetings:meeting-detail", meeting.pk)
    return render(request, "meetings/meeting_form.html", {"plan": plan, "form": form})


def _detail(request, meeting, *, topic_form=None, decision_form=None, status=200):
    office = can_record(request.user)
    units = reporting_departments(meeting.plan)
    context = {
        "plan": meeting.plan,
        "meeting": meeting,
        "can_record": office,
        "topic_form": topic_form or (TopicForm(plan=meeting.plan) if office else None),
        "decision_form": decision_form or (DecisionForm(meeting=meeting, units=units) if office else None),
    }
    return render(request, "meetings/meeting_detail.html", context, status=status)


@login_required
def meeting_detail(request, pk):
    return _detail(request, _meeting(request, pk))


@login_required
@require_POST
def topic_add(request, pk):
    meeting = _meeting(request, pk)
    _only_office(request)
    form = TopicForm(request.POST, plan=meeting.plan)
    if form.is_valid():
        services.add_topic(meeting=meeting, by=request.user, **form.cleaned_data)
        messages.success(request, _("Topic added."))
        return redirect("meetings:meeting-detail", meeting.pk)
    return _detail(request, meeting, topic_form=form, status=400)


@login_required
@require_POST
def decision_add(request, pk):
    meeting = _meeting(request, pk)
    _only_office(request)
    form = DecisionForm(request.POST, meeting=meeting, units=reporting_departments(meeting.plan))
    if form.is_valid():
        try:
            decision = services.add_decision(
                meeting=meeting, by=request.user, today=timezone.localdate(), **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Decision recorded as notice %(number)s.") % {"number": decision.notice.display_number}
            )
            return redirect("meetings:meeting-detail", meeting.pk)
    return _detail(request, meeting, decision_form=form, status=400)


@login_required
def minutes_pdf(request, pk):
    meeting = _meeting(request, pk)
    response = HttpResponse(minutes.render_pdf(meeting), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}-minutes.pdf"'
    return response
