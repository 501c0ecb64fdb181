"""A department's system reports its quarter through the API: the same rules, history and conflicts as the form."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from indicators.models import Indicator
from results.services import recompute_plan
from tasks.limits import FIELD_LIMITS
from tasks.models import FieldChange, QuarterlyReport, ReportEvent
from tests.tasks.test_smoke import complete_data

pytestmark = pytest.mark.django_db


def zh(message: str) -> str:
    """The Chinese a caller gets for one of the project's messages."""
    with translation.override("zh-hans"):
        translated = translation.gettext(message)
    assert translated != message
    return translated


def as_rows(report) -> dict:
    """complete_data() in the API's shape: lists of rows, numbers as strings."""
    tasks, indicators = complete_data(report)
    return {
        "tasks": [{"task": pk, **data} for pk, data in tasks.items()],
        "indicators": [
            {"indicator": pk, **{k: (str(v) if k == "value" else v) for k, v in data.items()}}
            for pk, data in indicators.items()
        ],
    }


def save(client, report_id, body):
    return client.post(reverse("api:report-save", args=[report_id]), body, format="json")


def test_department_reports_its_quarter_end_to_end(api_for, plan, period, dept_a_user, office_user):
    dept_a, office = api_for("dept_a"), api_for("office")

    started = dept_a.post(reverse("api:report-list"), {"period": period.pk}, format="json")
    assert started.status_code == 201
    report_id, version = started.data["id"], started.data["version"]
    assert len(started.data["task_updates"]) == 4 and started.data["indicator_values"]
    report = QuarterlyReport.objects.get(pk=report_id)

    saved = save(dept_a, report_id, {"version": version, **as_rows(report)})
    assert saved.status_code == 200, saved.data
    assert saved.data["version"] == version + 1
    submitted = dept_a.post(reverse("api:report-submit", args=[report_id]))
    assert submitted.status_code == 200 and submitted.data["status"] == "submitted"
    approved = office.post(reverse("api:report-approve", args=[report_id]), {"comment": "同意。"}, format="json")
    assert approved.status_code == 200 and approved.data["status"] == "approved"

    history = dept_a.get(reverse("api:report-detail", args=[report_id])).data["events"]
    assert [(e["action"], e["actor"]) for e in reversed(history)] == [
        ("create", "dept-a"),
        ("save", "dept-a"),
        ("submit", "dept-a"),
        ("approve", "office"),
    ]
    coverage = Indicator.objects.get(plan=plan, code="forest-coverage")
    change = FieldChange.objects.get(event__report_id=report_id, indicator=coverage, field="value")
    assert (change.before, change.after, change.event.actor) == ("", "8", dept_a_user)

    recompute_plan(plan)
    quarter = f"{period.year}Q{period.quarter}"
    values = office.get(reverse("api:value-list"), {"as_of": quarter, "indicator": coverage.pk}).data["results"]
    assert [(v["value"], v["quarter"], v["is_demo"]) for v in values] == [("8.0000", quarter, False)]
    results = office.get(reverse("api:target-result-list"), {"as_of": quarter, "indicator": coverage.pk}).data
    assert results["count"] >= 1
    assert {r["latest_value"] for r in results["results"]} == {8.0}


def test_only_the_fields_sent_change_and_each_change_is_in_the_history(api_for, report_a):
    update = report_a.task_updates.order_by("pk").first()
    response = save(
        api_for("dept_a"),
        report_a.pk,
        {"version": report_a.version, "tasks": [{"task": update.task_id, "percent_complete": 30}]},
    )

    assert response.status_code == 200
    update.refresh_from_db()
    assert update.percent_complete == 30 and update.work_done == ""
    event = ReportEvent.objects.get(report=report_a, action="save")
    assert [(c.field, c.before, c.after) for c in event.changes.all()] == [("percent_complete", "", "30")]


def test_an_unchanged_save_writes_no_history(api_for, report_a):
    response = save(api_for("dept_a"), report_a.pk, {"version": report_a.version, "tasks": [], "indicators": []})
    assert response.status_code == 200 and response.data["version"] == report_a.version
    assert not ReportEvent.objects.filter(report=report_a, action="save").exists()


def test_broken_rules_are_refused_in_chinese_and_nothing_is_saved(api_for, report_a):
    update = report_a.task_updates.order_by("pk").first()
    body = {
        "version": report_a.version,
        "tasks": [{"task": update.task_id, "status": "completed", "percent_complete": 50, "work_done": "做完了。"}],
    }

    response = save(api_for("dept_a"), report_a.pk, body)

    assert response.status_code == 400
    assert response.data["tasks"][str(update.task_id)]["percent_complete"] == zh(
        "A task marked completed must be at 100 percent."
    )
    assert response.data["detail"] == zh("Nothing was saved: please correct the fields listed.")
    stored = QuarterlyReport.objects.get(pk=report_a.pk)
    assert stored.version == report_a.version and not stored.task_updates.filter(work_done="做完了。").exists()


def test_values_outside_the_plausible_range_are_refused(api_for, report_a, plan):
    coverage = Indicator.objects.get(plan=plan, code="forest-coverage")
    body = {"version": report_a.version, "indicators": [{"indicator": coverage.pk, "value": "150"}]}
    response = save(api_for("dept_a"), report_a.pk, body)
    assert response.status_code == 400
    assert "合理范围" in response.data["indicators"][str(coverage.pk)]["value"]


def test_a_number_indicator_takes_a_number_not_reached(api_for, report_a, plan):
    coverage = Indicator.objects.get(plan=plan, code="forest-coverage")
    body = {"version": report_a.version, "indicators": [{"indicator": coverage.pk, "reached": True}]}
    response = save(api_for("dept_a"), report_a.pk, body)
    assert response.status_code == 400
    assert response.data["indicators"][str(coverage.pk)]["reached"] == zh(
        "This indicator takes a number, not reached or not."
    )
    assert report_a.indicator_values.get(indicator=coverage).reached is None


def test_malformed_input_is_refused_in_chinese(api_for, report_a):
    body = {"version": "abc", "tasks": [{"task": 1, "percent_complete": 150}]}
    response = save(api_for("dept_a"), report_a.pk, body)
    assert response.status_code == 400
    assert response.data["version"] == ["请填写合法的整数值。"]
    assert response.data["tasks"][0]["percent_complete"] == ["请确保该值小于或者等于 100。"]


def test_a_task_not_in_the_report_is_refused(api_for, report_a):
    body = {"version": report_a.version, "tasks": [{"task": 999999, "work_done": "别处的任务。"}]}
    response = save(api_for("dept_a"), report_a.pk, body)
    assert response.status_code == 400
    assert response.data["non_field_errors"] == [zh("Some tasks are not part of this report.")]


def test_submitting_an_incomplete_report_says_what_is_missing(api_for, report_a):
    response = api_for("dept_a").post(reverse("api:report-submit", args=[report_a.pk]))
    assert response.status_code == 400
    first = report_a.task_updates.order_by("pk").first().task_id
    assert response.data["tasks"][str(first)]["work_done"] == zh("Required before the report is submitted.")
    assert QuarterlyReport.objects.get(pk=report_a.pk).status == "draft"


def test_a_stale_save_is_a_409_with_what_changed_since(api_for, report_a, dept_a_colleague):
    from tests.api.conftest import token_client

    first, second = api_for("dept_a"), token_client(dept_a_colleague)
    update = report_a.task_updates.order_by("pk").first()
    version = report_a.version
    ok = save(first, report_a.pk, {"version": version, "tasks": [{"task": update.task_id, "work_done": "甲先保存。"}]})
    assert ok.status_code == 200

    stale = save(
        second, report_a.pk, {"version": version, "tasks": [{"task": update.task_id, "work_done": "乙后保存。"}]}
    )

    assert stale.status_code == 409
    assert stale.data["detail"] == zh("This report was changed by someone else after you opened it.")
    assert stale.data["version"] == version + 1
    assert [(e["actor"], [(c["field"], c["after"]) for c in e["changes"]]) for e in stale.data["since"]] == [
        ("dept-a", [("work_done", "甲先保存。")])
    ]
    update.refresh_from_db()
    assert update.work_done == "甲先保存。"


def test_a_review_step_needing_a_comment_is_refused_without_one(api_for, request):
    from tests.tasks.test_permissions import a_report_in

    report = a_report_in("submitted", request)
    response = api_for("office").post(reverse("api:report-return", args=[report.pk]), {}, format="json")
    assert response.status_code == 400
    assert response.data["detail"] == zh("Say what must be changed.")
    assert QuarterlyReport.objects.get(pk=report.pk).status == "submitted"


def test_session_sign_in_works_and_writes_need_the_csrf_token(report_a, dept_a_user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(dept_a_user)
    assert client.get(reverse("api:report-detail", args=[report_a.pk])).status_code == 200
    refused = save(client, report_a.pk, {"version": report_a.version, "tasks": []})
    assert refused.status_code == 403 and "CSRF" in str(refused.data["detail"])


def test_a_bad_token_is_refused(report_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get(reverse("api:report-list")).status_code == 401


@pytest.mark.parametrize(
    "as_of, message",
    [
        ("2025-4", "Give the quarter as YYYYQn, such as 2025Q4."),
        ("1999Q4", "There is no reporting period %(quarter)s."),
    ],
)
def test_a_bad_as_of_quarter_is_refused_in_chinese(as_of, message, api_for, period):
    response = api_for("viewer").get(reverse("api:target-result-list"), {"as_of": as_of})
    assert response.status_code == 400
    assert response.data["as_of"] == [zh(message) % {"quarter": as_of} if "%" in message else zh(message)]


def test_results_as_of_an_earlier_quarter_show_that_quarter(api_for, plan, dept_a_user, office_user):
    from tests.results.test_services import approved_quarter, quarter

    department = dept_a_user.membership.department
    for q, coverage in [(1, 7.5), (2, 7.6)]:
        approved_quarter(plan, department, quarter(2025, q), dept_a_user, office_user, coverage=coverage)
    recompute_plan(plan)
    coverage_id = Indicator.objects.get(plan=plan, code="forest-coverage").pk
    client = api_for("viewer")

    def latest(as_of):
        params = {"indicator": coverage_id, **({"as_of": as_of} if as_of else {})}
        rows = client.get(reverse("api:target-result-list"), params).data["results"]
        return {(r["as_of"], r["latest_value"]) for r in rows}

    assert latest("2025Q1") == {("2025Q1", 7.5)}
    assert latest("2025Q2") == {("2025Q2", 7.6)}
    assert {row[0] for row in latest(None)} == {"2025Q2"}
    values = client.get(reverse("api:value-list"), {"as_of": "2025Q1", "indicator": coverage_id}).data["results"]
    assert [v["value"] for v in values] == ["7.5000"]


def test_demo_reports_are_flagged(api_for, report_a):
    QuarterlyReport.objects.filter(pk=report_a.pk).update(is_demo=True)
    rows = api_for("dept_a").get(reverse("api:report-list")).data["results"]
    assert [r["is_demo"] for r in rows] == [True]


def test_lists_are_paged(api_for, plan):
    first = api_for("anonymous").get(reverse("api:task-list"), {"plan": plan.code, "page_size": 10}).data
    assert first["count"] > 10 and len(first["results"]) == 10 and first["next"]


def test_api_token_command_prints_a_token_that_signs_in(dept_a_user, report_a, capsys):
    call_command("api_token", "dept-a")
    key = capsys.readouterr().out.strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(reverse("api:report-detail", args=[report_a.pk])).status_code == 200
    call_command("api_token", "dept-a", "--reset")
    assert capsys.readouterr().out.strip() != key
    assert client.get(reverse("api:report-detail", args=[report_a.pk])).status_code == 401


def test_decimal_values_are_stored_exactly(api_for, report_a, plan):
    coverage = Indicator.objects.get(plan=plan, code="forest-coverage")
    body = {
        "version": report_a.version,
        "indicators": [{"indicator": coverage.pk, "value": "7.9512", "data_source": "年报"}],
    }
    assert save(api_for("dept_a"), report_a.pk, body).status_code == 200
    assert report_a.indicator_values.get(indicator=coverage).value == Decimal("7.9512")


@pytest.mark.parametrize("plan_code", ["no-such-plan", "bad\x00code", "计划"])
def test_an_unknown_or_malformed_plan_code_is_404(plan_code, api_for, plan):
    assert api_for("office").get(reverse("api:task-result-list"), {"plan": plan_code}).status_code == 404


def test_text_filters_refuse_nul_characters(api_for, plan):
    assert api_for("anonymous").get(reverse("api:department-list"), {"name": "a\x00b"}).status_code == 400


def test_a_department_cannot_start_a_report_on_another_districts_plan(api_for, period, dept_a_user):
    from tests.factories import build_plan

    other = build_plan(areas=1, tasks_per_area=1)
    response = api_for("dept_a").post(
        reverse("api:report-list"), {"period": period.pk, "plan": other.code}, format="json"
    )
    assert response.status_code == 403
    assert response.data["detail"] == zh("This department does not report on this plan.")
    assert not QuarterlyReport.objects.exists()


@pytest.mark.parametrize("is_demo", [True, False])
def test_results_say_whether_demo_reports_went_into_them(is_demo, api_for, plan, dept_a_user, office_user):
    from tests.results.test_services import approved_quarter, quarter

    report = approved_quarter(
        plan, dept_a_user.membership.department, quarter(2025, 1), dept_a_user, office_user, coverage=7.5
    )
    QuarterlyReport.objects.filter(pk=report.pk).update(is_demo=is_demo)
    recompute_plan(plan)
    client = api_for("viewer")
    for name in ("api:target-result-list", "api:task-result-list", "api:rollup-list"):
        rows = client.get(reverse(name), {"as_of": "2025Q1"}).data["results"]
        assert rows and {row["is_demo"] for row in rows} == {is_demo}, name


def test_the_api_refuses_text_over_the_shared_limit(api_for, report_a):
    pk = report_a.task_updates.order_by("pk").first().task_id
    body = {"version": report_a.version, "tasks": [{"task": pk, "next_steps": "x" * (FIELD_LIMITS["next_steps"] + 1)}]}
    client = api_for("dept_a")
    assert save(client, report_a.pk, body).status_code == 400
    exactly = {"version": report_a.version, "tasks": [{"task": pk, "next_steps": "x" * FIELD_LIMITS["next_steps"]}]}
    assert save(client, report_a.pk, exactly).status_code == 200
