"""Who may open which page: the seven roles against every dashboard page, the annual evaluation, the admin and the API docs.

The plan's pages are public (statuses only for the signed-in, tested elsewhere); the overview is for the office
and viewers; the admin lets in staff only, and each model only with its permission.
"""

import pytest
from django.test import Client
from django.urls import reverse

from departments.models import Department
from indicators.models import Indicator
from results.services import recompute_plan
from targets.models import Task
from tasks.models import ReportingPeriod

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "dept_a", "dept_b", "dept_a_head", "office", "viewer", "admin"]
LOGIN, ADMIN_LOGIN = "login", "admin-login"
USERS = {
    "dept_a": "dept_a_user",
    "dept_b": "dept_b_user",
    "dept_a_head": "dept_a_head",
    "office": "office_user",
    "viewer": "viewer_user",
    "admin": "admin_user",
}


def client_for(role: str, request) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(USERS[role]))
    return client


def page(name: str, plan) -> str:
    """The URL of each page, with real ids from the loaded plan."""
    task = Task.objects.filter(area__plan=plan).order_by("pk").first()
    indicator = Indicator.objects.filter(plan=plan).order_by("pk").first()
    department = Department.objects.get(name="七里海管委会")
    year = ReportingPeriod.objects.order_by("-year").values_list("year", flat=True).first()
    urls = {
        "plan": reverse("dashboard:plan-detail", args=[plan.code]),
        "overview": reverse("dashboard:overview", args=[plan.code]),
        "area": reverse("dashboard:area-detail", args=[plan.code, 1]),
        "task": reverse("dashboard:task-detail", args=[plan.code, task.pk]),
        "targets": reverse("dashboard:target-list", args=[plan.code]),
        "indicator": reverse("dashboard:indicator-detail", args=[plan.code, indicator.pk]),
        "departments": reverse("dashboard:department-list", args=[plan.code]),
        "department": reverse("dashboard:department-detail", args=[plan.code, department.pk]),
        "reports-home": reverse("tasks:home"),
        "admin": reverse("admin:index"),
        "admin-reports": reverse("admin:tasks_quarterlyreport_changelist"),
        "admin-periods": reverse("admin:tasks_reportingperiod_changelist"),
        "admin-users": reverse("admin:auth_user_changelist"),
        "admin-tokens": reverse("admin:authtoken_tokenproxy_changelist"),
        "admin-webhooks": reverse("admin:notifications_webhook_changelist"),
        "admin-webhook-deliveries": reverse("admin:notifications_webhookdelivery_changelist"),
        "api-docs": reverse("api:docs"),
        "api-redoc": reverse("api:redoc"),
        "api-root": reverse("api:api-root"),
        "api-token": reverse("api:token"),
        "evaluation": reverse("evaluation:detail", args=[plan.code, year]),
        "evaluation-preview": reverse("evaluation:preview", args=[plan.code, year]),
        "evaluation-assessment": reverse("evaluation:assessment", args=[plan.code, year]),
        "evaluation-export": reverse("evaluation:export-excel", args=[plan.code, year]),
        "evaluation-csv": reverse("evaluation:export-csv", args=[plan.code, year, "updates"]),
        "notices": reverse("supervision:notice-list"),
        "notice-open": reverse("supervision:notice-open") + f"?task={task.pk}",
        "admin-notices": reverse("admin:supervision_notice_changelist"),
    }
    if name in ("notice", "notice-evidence"):
        return _notice_page(name, plan)
    if name.startswith("city-report"):
        return _city_report_page(name, plan, year)
    return urls[name]


def _city_report_page(name: str, plan, year: int) -> str:
    """The report to the city of the year's first quarter, and a major problem 七里海管委会 reported in it (approved)."""
    if name == "city-report":
        return reverse("cityreport:detail", args=[plan.code, f"{year}-q1"])
    if name == "city-report-year-preview":
        return reverse("cityreport:preview", args=[plan.code, str(year)])
    from django.contrib.auth.models import User

    from tasks.models import TaskUpdate
    from tasks.services import start_report

    report = start_report(
        plan=plan,
        department=Department.objects.get(name="七里海管委会"),
        period=ReportingPeriod.objects.get(year=year, quarter=1),
        by=User.objects.get(username="dept-a"),
    )
    problem = report.task_updates.first()
    TaskUpdate.objects.filter(pk=problem.pk).update(major_problem=True, problems="资金缺口")
    type(report).objects.filter(pk=report.pk).update(status="approved")  # leaders read approved reports' problems
    return reverse("cityreport:escalation", args=[problem.pk])


def _notice_page(name: str, plan) -> str:
    """A notice to 七里海管委会 (department A) with an answer carrying a file, made through the services."""
    import datetime as dt

    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from supervision import services
    from supervision.selectors import free_subject
    from tests.files import one_page_pdf

    today = timezone.localdate()
    unit = Department.objects.get(name="七里海管委会")
    notice = services.open_notice(
        subject=free_subject(plan),
        by=User.objects.get(username="office"),
        title="专项督办",
        responsible=unit,
        requirement="请整改。",
        deadline=today,
        today=today,
    )
    services.answer_notice(
        notice=notice,
        by=User.objects.get(username="dept-a"),
        measures="已整改。",
        planned_completion=today + dt.timedelta(days=30),
        files=[SimpleUploadedFile("整改.pdf", one_page_pdf(), content_type="application/pdf")],
    )
    if name == "notice":
        return reverse("supervision:notice-detail", args=[notice.pk])
    return reverse("supervision:evidence-download", args=[notice.steps.last().evidence.get().pk])


PUBLIC = [200] * 7
SIGNED_IN = [LOGIN, 200, 200, 200, 200, 200, 200]
OFFICE_AND_VIEWERS = [LOGIN, 403, 403, 403, 200, 200, 200]
OFFICE_ONLY = [LOGIN, 403, 403, 403, 200, 403, 200]
UNIT_A_OFFICE_AND_VIEWERS = [LOGIN, 200, 404, 200, 200, 200, 200]
STAFF_WITH_PERMISSION = [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, ADMIN_LOGIN, 200]
SUPERUSER_ONLY = [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403, ADMIN_LOGIN, 200]

PAGES = {
    "plan": PUBLIC,
    "area": PUBLIC,
    "task": PUBLIC,
    "targets": PUBLIC,
    "indicator": PUBLIC,
    "departments": PUBLIC,
    "department": PUBLIC,
    "overview": OFFICE_AND_VIEWERS,
    "reports-home": SIGNED_IN,
    "admin": STAFF_WITH_PERMISSION,
    "admin-reports": STAFF_WITH_PERMISSION,
    "admin-periods": STAFF_WITH_PERMISSION,
    "admin-users": SUPERUSER_ONLY,
    "admin-tokens": SUPERUSER_ONLY,
    "admin-webhooks": STAFF_WITH_PERMISSION,
    "admin-webhook-deliveries": STAFF_WITH_PERMISSION,
    "api-docs": PUBLIC,
    "api-redoc": PUBLIC,
    "api-root": PUBLIC,
    "api-token": SIGNED_IN,
    "evaluation": OFFICE_AND_VIEWERS,
    "evaluation-preview": OFFICE_AND_VIEWERS,
    "evaluation-assessment": SIGNED_IN,  # a unit sees its own row only (tests/evaluation)
    "evaluation-export": OFFICE_AND_VIEWERS,
    "evaluation-csv": OFFICE_AND_VIEWERS,
    "notices": SIGNED_IN,  # each sees the notices addressed or copied to it (tests/supervision)
    "notice-open": OFFICE_ONLY,
    "notice": UNIT_A_OFFICE_AND_VIEWERS,
    "notice-evidence": UNIT_A_OFFICE_AND_VIEWERS,
    "admin-notices": STAFF_WITH_PERMISSION,
    "city-report": OFFICE_AND_VIEWERS,  # it speaks of every unit's problems: units 403
    "city-report-year-preview": OFFICE_AND_VIEWERS,
    "city-report-problem": OFFICE_AND_VIEWERS,  # the 需市级协调 mark's page; only the office marks (tests/cityreport)
}
MATRIX = [(name, role, expected) for name, row in PAGES.items() for role, expected in zip(ROLES, row, strict=True)]


@pytest.mark.parametrize("name, role, expected", MATRIX)
def test_every_page_answers_each_role_as_the_rules_say(name, role, expected, request, plan, period):
    if name.startswith(("notice", "city-report")):
        for user in ("office_user", "dept_a_user"):  # the notice's author and addressee
            request.getfixturevalue(user)
    if name.startswith(("evaluation", "city-report")):
        recompute_plan(plan)  # a year is evaluated, and reported to the city, once it has computed results
    response = client_for(role, request).get(page(name, plan))
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login") + "?next=")
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login") + "?next=")
    else:
        assert response.status_code == expected


def test_home_sends_every_role_to_the_plan(request, plan):
    for role in ROLES:
        response = client_for(role, request).get("/")
        assert (response.status_code, response.url) == (302, reverse("dashboard:plan-detail", args=[plan.code]))
