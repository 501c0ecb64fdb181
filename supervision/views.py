"""Notice pages: thin callers of supervision.services, selectors and permissions.

Other apps' pages link here with the item in the query string (?target=<id>&period=<id>, ?task=…, ?task_update=…,
?department=<id>&period=<id> for a missing report), so tasks/ and results/ never import this app.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from departments.models import Department
from departments.roles import department_of, is_office
from indicators.models import Target
from targets.models import Task
from targets.selectors import default_plan_or_404
from tasks.models import ReportingPeriod, TaskUpdate
from tasks.selectors import reporting_departments
from tasks.views import attachment

from . import permissions, selectors, services
from .forms import AnswerForm, DecisionForm, ExtensionForm, NoticeFilter, OpenNoticeForm
from .models import Notice, NoticeEvidence

PAGE_SIZE = 100


def _int(params, name) -> int | None:
    value = params.get(name, "")
    return int(value) if value.isdigit() else None


def subject_from_query(params) -> selectors.Subject:
    """The item a notice is opened on, named in the link that led here; unknown ids answer 404."""

    def pick(name, queryset, **where):
        pk = _int(params, name)
        return get_object_or_404(queryset, pk=pk, **where) if pk else None

    return selectors.subject_for(
        plan=default_plan_or_404(),
        target=pick("target", Target.objects.select_related("indicator__plan", "task")),
        task=pick("task", Task.objects.select_related("area__plan")),
        task_update=pick(
            "task_update",
            TaskUpdate.objects.select_related("task__area", "report__department", "report__period", "report__plan"),
            major_problem=True,
        ),
        department=pick("department", Department.objects.all()),
        period=pick("period", ReportingPeriod.objects.all()),
    )


@login_required
def notice_open(request):
    if not permissions.can_open(request.user):
        raise PermissionDenied(_("Only the office opens supervision notices."))
    subject = subject_from_query(request.GET)
    units = reporting_departments(subject.plan)
    today = timezone.localdate()
    if request.method == "POST":
        form = OpenNoticeForm(request.POST, units=units)
        if form.is_valid():
            data = form.cleaned_data
            try:
                notice = services.open_notice(
                    subject=subject,
                    by=request.user,
                    title=data["title"],
                    responsible=data["responsible"],
                    copied=data["copied"],
                    requirement=data["requirement"],
                    deadline=data["deadline"],
                    level=data["level"],
                    today=today,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Notice %(number)s sent.") % {"number": notice.display_number})
                return redirect(notice)
    else:
        form = OpenNoticeForm(
            units=units,
            initial={
                "title": subject.title,
                "responsible": subject.responsible,
                "copied": subject.copied,
                "deadline": today + dt.timedelta(days=14),
            },
        )
    context = {"plan": subject.plan, "subject": subject, "form": form, "today": today}
    return render(request, "supervision/notice_open.html", context)


@login_required
def notice_list(request):
    plan = default_plan_or_404()
    today = timezone.localdate()
    notices = permissions.visible_notices(request.user, Notice.objects.filter(plan=plan))
    form = NoticeFilter(request.GET or None, units=reporting_departments(plan))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["status"] == "overdue":
            notices = notices.overdue(today)
        elif data["status"]:
            notices = notices.filter(status=data["status"])
        if data["level"]:
            notices = notices.filter(level=data["level"])
        if data["unit"]:
            notices = notices.for_department(data["unit"])
    rows = list(selectors.notice_list(notices)[:PAGE_SIZE])
    context = {
        "plan": plan,
        "form": form,
        "notices": rows,
        "today": today,
        "can_open": permissions.can_open(request.user),
        "department": department_of(request.user),
    }
    return render(request, "supervision/notice_list.html", context)


def _visible(request, pk) -> Notice:
    try:
        return selectors.notice_with_history(pk, permissions.visible_notices(request.user))
    except Notice.DoesNotExist:
        raise Http404 from None


def _detail(request, notice, forms=None, status=200):
    allowed = permissions.allowed_actions(request.user, notice)
    forms = forms or {}
    context = {
        "plan": notice.plan,
        "notice": notice,
        "today": timezone.localdate(),
        "allowed": allowed,
        "answer_form": forms.get("answer") or AnswerForm(),
        "extension_form": forms.get("request_extension") or ExtensionForm(),
        "decision_forms": {
            action: forms.get(action) or DecisionForm(prefix=action)
            for action in ("return", "close", "grant_extension", "decline_extension", "raise_level")
            if allowed[action]
        },
        "is_office": is_office(request.user),
    }
    return render(request, "supervision/notice_detail.html", context, status=status)


@login_required
def notice_detail(request, pk):
    return _detail(request, _visible(request, pk))


def _answer(notice, user, data, today):
    return services.answer_notice(
        notice=notice,
        by=user,
        measures=data["measures"],
        planned_completion=data["planned_completion"],
        files=data["files"],
    )


def _extension(notice, user, data, today):
    return services.request_extension(notice=notice, by=user, deadline=data["deadline"], reason=data["reason"])


ACTIONS = {
    "answer": (AnswerForm, _answer),
    "request_extension": (ExtensionForm, _extension),
    "grant_extension": (
        DecisionForm,
        lambda n, u, d, t: services.grant_extension(notice=n, by=u, deadline=d["deadline"], text=d["text"]),
    ),
    "decline_extension": (
        DecisionForm,
        lambda n, u, d, t: services.decline_extension(notice=n, by=u, text=d["text"]),
    ),
    "return": (
        DecisionForm,
        lambda n, u, d, t: services.return_notice(notice=n, by=u, text=d["text"], deadline=d["deadline"], today=t),
    ),
    "close": (DecisionForm, lambda n, u, d, t: services.close_notice(notice=n, by=u, text=d["text"])),
    "raise_level": (
        DecisionForm,
        lambda n, u, d, t: services.raise_level(notice=n, by=u, level=d["level"] or None, text=d["text"]),
    ),
}
DONE = {
    "answer": gettext_lazy("Your answer was sent to the office."),
    "request_extension": gettext_lazy("Your request for an extension was sent to the office."),
    "grant_extension": gettext_lazy("The extension was granted."),
    "decline_extension": gettext_lazy("The extension was declined."),
    "return": gettext_lazy("The answer was sent back to the unit."),
    "close": gettext_lazy("The notice is closed."),
    "raise_level": gettext_lazy("The level was raised."),
}


@login_required
@require_POST
def notice_action(request, pk, action):
    notice = _visible(request, pk)
    if action not in ACTIONS:
        raise Http404
    if not permissions.allowed_actions(request.user, notice)[action]:
        raise PermissionDenied(_("This step is not open to you on this notice now."))
    form_class, perform = ACTIONS[action]
    prefix = None if form_class in (AnswerForm, ExtensionForm) else action
    form = form_class(request.POST, request.FILES, prefix=prefix)
    if form.is_valid():
        try:
            perform(notice, request.user, form.cleaned_data, timezone.localdate())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, str(DONE[action]))
            return redirect(notice)
    messages.error(request, _("Nothing was saved: please correct the marked fields."))
    return _detail(request, notice, forms={action: form}, status=400)


@login_required
def evidence_download(request, pk):
    evidence = get_object_or_404(
        NoticeEvidence.objects.select_related("step"),
        pk=pk,
        step__notice__in=permissions.visible_notices(request.user),
    )
    return attachment(evidence)
