"""The pages of the report to the city: who may do what, the office's texts saved with their history, the
需市级协调 mark shown where the office sees major problems, the menu entry."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cityreport import services
from cityreport.models import CityReportFile, EscalationStep
from tasks.models import QuarterlyReport, ReportStatus

pytestmark = pytest.mark.django_db
ROLES = {"dept_a": "dept_a_user", "viewer": "viewer_user", "office": "office_user"}


def _client(request, role):
    client = Client()
    client.force_login(request.getfixturevalue(ROLES[role]))
    return client


def _post(name, plan, city):
    report = services.report_for(plan, 2026, 1)
    if name == "escalation-change":
        return reverse("cityreport:escalation-change", args=[city["q1_problem"].pk]), {"reason": "需市里协调用地"}
    data = {"save": {"introduction": "开头", "closing": "", "version": report.version}}.get(name, {})
    if name == "finalize":
        data = {"version": report.version}
    return reverse(f"cityreport:{name}", args=[plan.code, "2026-q1"]), data


@pytest.mark.parametrize("name", ["save", "finalize", "generate", "escalation-change"])
@pytest.mark.parametrize("role, expected", [("dept_a", 403), ("viewer", 403), ("office", 302)])
def test_only_the_office_changes_a_report_to_the_city(name, role, expected, plan, city, request, media):
    url, data = _post(name, plan, city)
    assert _client(request, role).post(url, data).status_code == expected


def test_the_pdf_is_downloaded_by_the_office_and_leaders_not_by_units(
    plan, city, request, office_user, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        file = services.request_pdf(services.report_for(plan, 2026, 1), by=office_user)
    file.refresh_from_db()
    assert file.state == CityReportFile.State.DONE
    url = reverse("cityreport:file-download", args=[file.pk])
    status = reverse("cityreport:file-status", args=[file.pk])
    assert _client(request, "dept_a").get(url).status_code == 403
    assert _client(request, "dept_a").get(status).status_code == 403
    assert _client(request, "viewer").get(url).status_code == 200
    assert _client(request, "viewer").get(status).json()["state"] == "done"


def test_a_colleague_s_save_in_between_keeps_what_was_typed(plan, city, request, office_user):
    report = services.report_for(plan, 2026, 1)
    services.update_texts(report, by=office_user, version=report.version, introduction="同事先写的开头")
    url = reverse("cityreport:save", args=[plan.code, "2026-q1"])

    response = _client(request, "office").post(url, {"introduction": "我写的开头", "closing": "", "version": 1})

    assert response.status_code == 400
    html = response.content.decode()
    assert "我写的开头" in html and "其他同事保存了该报告" in html
    report.refresh_from_db()
    assert report.introduction == "同事先写的开头"


def test_the_mark_shows_where_the_office_sees_major_problems(plan, city, request):
    office = _client(request, "office")
    problem = city["q1_problem"]
    url = reverse("cityreport:escalation-change", args=[problem.pk])
    assert office.post(url, {"reason": " "}).status_code == 400  # a reason is required

    office.post(url, {"reason": "造林用地需市级统筹", "action": "mark"})

    home = office.get(reverse("tasks:home"), {"period": problem.report.period_id}).content.decode()
    assert "需市级协调" in home and reverse("cityreport:escalation", args=[problem.pk]) in home
    page = office.get(reverse("cityreport:detail", args=[plan.code, "2026-q1"])).content.decode()
    assert "造林用地需市级统筹" in page
    QuarterlyReport.objects.filter(pk=problem.report_id).update(status=ReportStatus.APPROVED)  # leaders read these
    viewer_home = _client(request, "viewer").get(reverse("tasks:home"), {"period": problem.report.period_id})
    assert "需市级协调" in viewer_home.content.decode()  # leaders read the mark
    assert reverse("cityreport:escalation", args=[problem.pk]) not in viewer_home.content.decode()  # and do not mark
    office.post(url, {"reason": "区内已解决", "action": "unmark"})
    history = office.get(reverse("cityreport:escalation", args=[problem.pk])).content.decode()
    assert "造林用地需市级统筹" in history and "区内已解决" in history
    assert list(EscalationStep.objects.values_list("action", flat=True).order_by("at", "pk")) == ["mark", "unmark"]


def test_the_menu_leads_the_office_and_leaders_to_the_report_and_units_not(plan, city, request):
    link = reverse("cityreport:home", args=[plan.code])
    for role, shown in (("office", True), ("viewer", True), ("dept_a", False)):
        html = _client(request, role).get(reverse("tasks:home")).content.decode()
        assert (link in html) is shown, role
    response = _client(request, "office").get(link)
    assert (response.status_code, response.url) == (302, reverse("cityreport:detail", args=[plan.code, "2026-q2"]))


def test_the_page_is_chinese_first(plan, city, request):
    with translation.override("zh-hans"):
        html = _client(request, "office").get(reverse("cityreport:detail", args=[plan.code, "2026"])).content.decode()
    assert "向市碳达峰碳中和工作领导小组报告" in html and "生成向市报告（PDF）" in html


def test_the_page_s_queries_do_not_grow_with_the_problems(plan, city, request, office_user, dept_b_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tasks.models import TaskUpdate

    office = _client(request, "office")
    url = reverse("cityreport:detail", args=[plan.code, "2026"])
    office.get(url)  # the report's row is made on the first visit
    with CaptureQueriesContext(connection) as few:
        assert office.get(url).status_code == 200
    more = TaskUpdate.objects.filter(report__period__year=2026, major_problem=False)[:4]
    TaskUpdate.objects.filter(pk__in=[u.pk for u in more]).update(major_problem=True, problems="新问题")
    for update in TaskUpdate.objects.filter(pk__in=[u.pk for u in more]):
        services.mark_escalation(update, by=office_user, reason="需协调")
    with CaptureQueriesContext(connection) as many:
        html = office.get(url).content.decode()
    assert html.count("新问题") == 4
    assert len(many) == len(few), "\n".join(q["sql"][:200] for q in many.captured_queries)


def test_a_leader_reads_the_problems_of_approved_reports_only(plan, city, request):
    viewer = _client(request, "viewer")
    problem = city["q1_problem"]  # its report is submitted, not yet approved
    assert viewer.get(reverse("cityreport:escalation", args=[problem.pk])).status_code == 404
    page = viewer.get(reverse("cityreport:detail", args=[plan.code, "2026-q1"])).content.decode()
    assert problem.problems not in page

    QuarterlyReport.objects.filter(pk=problem.report_id).update(status=ReportStatus.APPROVED)

    assert viewer.get(reverse("cityreport:escalation", args=[problem.pk])).status_code == 200
    assert problem.problems in viewer.get(reverse("cityreport:detail", args=[plan.code, "2026-q1"])).content.decode()


def test_making_final_and_reopening_read_in_chinese_in_the_history(plan, city, request, office_user):
    report = services.report_for(plan, 2026, 1)
    services.finalize(report, by=office_user, today=report.updated_at.date(), version=report.version)
    services.reopen(report, by=office_user, reason="补充督办情况")

    with translation.override("zh-hans"):
        html = _client(request, "office").get(reverse("cityreport:detail", args=[plan.code, "2026-q1"])).content
    assert "定稿</del> → 草稿：补充督办情况" in html.decode()


def test_the_report_page_shows_the_mark_to_the_office_and_not_to_the_unit(plan, city, request, office_user):
    problem = city["q1_problem"]
    services.mark_escalation(problem, by=office_user, reason="造林用地需市级统筹")
    url = problem.report.get_absolute_url()

    office_page = _client(request, "office").get(url).content.decode()
    unit_page = _client(request, "dept_a").get(url).content.decode()

    assert "需市级协调" in office_page and reverse("cityreport:escalation", args=[problem.pk]) in office_page
    assert "需市级协调" not in unit_page


def test_the_office_s_home_offers_the_mark_only_once_the_problem_reached_the_office(plan, city, request):
    """A draft's major problem shows on the office's home at once, without a link the office could not follow."""
    office = _client(request, "office")
    problem = city["q1_problem"]
    link = reverse("cityreport:escalation", args=[problem.pk])

    QuarterlyReport.objects.filter(pk=problem.report_id).update(status=ReportStatus.DRAFT)
    home = office.get(reverse("tasks:home"), {"period": problem.report.period_id}).content.decode()
    assert problem.problems in home and link not in home
    assert office.get(link).status_code == 404

    QuarterlyReport.objects.filter(pk=problem.report_id).update(status=ReportStatus.SUBMITTED)
    home = office.get(reverse("tasks:home"), {"period": problem.report.period_id}).content.decode()
    assert link in home
