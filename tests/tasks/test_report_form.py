"""The report form as a clerk lives in it: typed figures never lost, files within the save, autosave under the
version check, a new quarter carried over from the last approved one, and the office's review beside it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tasks import services
from tasks.models import Evidence, IndicatorValue, ReportEvent, ReportingPeriod, TaskUpdate
from tests.tasks.test_evidence import EXE, PDF
from tests.tasks.test_smoke import complete_data
from tests.tasks.test_views import field_html, form_data, fresh, indicator_id, task_id, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def forest(report) -> int:
    return indicator_id(report, "forest-coverage")


def store(report, user, **values):
    tasks, indicators = complete_data(report)
    for data in tasks.values():
        data["confirm_carried"] = True
    indicators[forest(report)].update(values)
    save(report, user, tasks, indicators)


def save(report, user, tasks, indicators):
    services.save_draft(
        report=fresh(report), by=user, version=fresh(report).version, task_data=tasks, indicator_data=indicators
    )


@pytest.mark.parametrize("typed", ["7-8", "约7.4", "7.5万", "7,5", "7.5.1"])
def test_a_figure_that_needs_a_guess_is_refused_and_the_stored_value_stays(typed, report_a, dept_a_user, dept_a_client):
    store(report_a, dept_a_user, value=Decimal("7.39"))
    version = fresh(report_a).version
    t = task_id(report_a, "6.2")

    response = dept_a_client.post(
        url(report_a),
        form_data(report_a, indicators={forest(report_a): {"value": typed}}, tasks={t: {"work_done": "补水两次。"}}),
    )

    html = response.content.decode()
    field = field_html(html, f"i{forest(report_a)}-value")
    assert f"“{typed}”" in field and "has-error" in field
    assert f'value="{typed}"' in field
    assert "补水两次。" in field_html(html, f"t{t}-work_done")
    assert IndicatorValue.objects.get(report=report_a, indicator_id=forest(report_a)).value == Decimal("7.39")
    assert fresh(report_a).version == version


@pytest.mark.parametrize(
    "code, typed, stored",
    [
        ("forest-coverage", "７．５", "7.5"),
        ("forest-area", "1,234.5", "1234.5"),
        ("forest-coverage", "  8.25 ", "8.25"),
    ],
)
def test_full_width_digits_thousands_and_spaces_are_read(code, typed, stored, report_a, dept_a_client):
    i = indicator_id(report_a, code)
    dept_a_client.post(url(report_a), form_data(report_a, indicators={i: {"value": typed}}))
    assert IndicatorValue.objects.get(report=report_a, indicator_id=i).value == Decimal(stored)


def test_a_saved_value_comes_back_without_trailing_zeros(report_a, dept_a_user, dept_a_client):
    store(report_a, dept_a_user, value=Decimal("7.39"))
    html = dept_a_client.get(url(report_a)).content.decode()
    field = field_html(html, f"i{forest(report_a)}-value")
    assert 'value="7.39"' in field and 'inputmode="decimal"' in field and 'type="text"' in field
    assert '<span class="req"' in field  # marked as needed before the first submit


def test_autosave_answers_with_the_new_version_and_never_overwrites_a_newer_one(report_a, dept_a_user, dept_a_client):
    version = fresh(report_a).version
    data = form_data(report_a, action="autosave", indicators={forest(report_a): {"value": "8.1"}})

    answer = dept_a_client.post(url(report_a), data)

    assert answer.status_code == 200 and answer.json()["saved"] is True
    assert answer.json()["version"] == version + 1 == fresh(report_a).version
    # the same stale version again (another tab, or a colleague): refused, nothing changes
    data[f"i{forest(report_a)}-value"] = "9"
    stale = dept_a_client.post(url(report_a), data)
    assert stale.status_code == 409 and "自动保存已停止" in stale.json()["conflict"]
    assert IndicatorValue.objects.get(report=report_a, indicator_id=forest(report_a)).value == Decimal("8.1")


def test_autosave_of_a_refused_figure_names_the_field_and_saves_nothing(report_a, dept_a_client):
    version = fresh(report_a).version
    answer = dept_a_client.post(
        url(report_a), form_data(report_a, action="autosave", indicators={forest(report_a): {"value": "7-8"}})
    ).json()
    assert answer["saved"] is False
    assert "是一个范围" in answer["errors"][f"i{forest(report_a)}-value"][0]
    assert fresh(report_a).version == version


def test_a_file_is_uploaded_within_the_save(report_a, dept_a_client, media):
    t = task_id(report_a, "6.2")
    data = form_data(report_a, tasks={t: {"work_done": "完成验收。"}})
    data[f"t{t}-evidence"] = SimpleUploadedFile("验收报告.pdf", PDF)

    response = dept_a_client.post(url(report_a), data)

    assert response.status_code == 302
    assert Evidence.objects.get().task_update.task_id == t
    assert TaskUpdate.objects.get(report=report_a, task_id=t).work_done == "完成验收。"
    actions = list(fresh(report_a).events.order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == [ReportEvent.Action.SAVE, ReportEvent.Action.UPLOAD]


def test_a_refused_file_keeps_every_typed_value_and_saves_nothing(report_a, dept_a_client, media):
    t = task_id(report_a, "6.2")
    version = fresh(report_a).version
    data = form_data(report_a, tasks={t: {"work_done": "完成验收。"}}, indicators={forest(report_a): {"value": "8.3"}})
    data[f"t{t}-evidence"] = SimpleUploadedFile("程序.pdf", EXE)

    response = dept_a_client.post(url(report_a), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "“程序.pdf”的内容与文件名不符" in field_html(html, f"t{t}-evidence")
    assert "完成验收。" in field_html(html, f"t{t}-work_done")
    assert 'value="8.3"' in field_html(html, f"i{forest(report_a)}-value")
    assert not Evidence.objects.exists()
    assert fresh(report_a).version == version
    assert TaskUpdate.objects.get(report=report_a, task_id=t).work_done == ""


@pytest.fixture
def approved_last_quarter(plan, period, dept_a_user, office_user):
    """七里海管委会's report of the quarter before `period`, approved with forest cover at 7.39."""
    year, quarter = (period.year, period.quarter - 1) if period.quarter > 1 else (period.year - 1, 4)
    earlier = ReportingPeriod.objects.create(
        year=year, quarter=quarter, opens_on=period.opens_on - dt.timedelta(days=90), due_on=period.opens_on
    )
    report = services.start_report(
        plan=plan, department=dept_a_user.membership.department, period=earlier, by=dept_a_user
    )
    store(report, dept_a_user, value=Decimal("7.3900"))
    services.submit_report(report=fresh(report), by=dept_a_user)
    services.approve_report(report=fresh(report), by=office_user)
    return report


def test_a_new_quarter_starts_from_the_last_approved_one_but_not_its_figures(
    approved_last_quarter, report_a, dept_a_user, dept_a_client
):
    update = TaskUpdate.objects.get(report=report_a, task_id=task_id(report_a, "6.2"))
    assert (update.status, update.percent_complete, update.work_done, update.carried_over) == (
        "in_progress",
        50,
        "完成了工作。",
        True,
    )
    value = IndicatorValue.objects.get(report=report_a, indicator_id=forest(report_a))
    assert value.value is None and value.data_source == ""

    html = dept_a_client.get(url(report_a)).content.decode()
    assert "沿用上季度" in html
    assert f"上次审定（{approved_last_quarter.period}）：<strong>7.39</strong>" in html
    assert 'data-previous="7.39"' in field_html(html, f"i{forest(report_a)}-value")


def test_carried_over_text_must_be_confirmed_or_changed_before_submitting(approved_last_quarter, report_a, dept_a_user):
    tasks, indicators = complete_data(report_a)
    for data in tasks.values():  # exactly last quarter's: nothing changed
        data.update(status="in_progress", percent_complete=50, work_done="完成了工作。", next_steps="继续。")
    save(report_a, dept_a_user, tasks, indicators)
    with pytest.raises(services.ReportErrors) as refused:
        services.submit_report(report=fresh(report_a), by=dept_a_user, carried_must_be_confirmed=True)
    assert all("勾选“已核对”" in errors["confirm_carried"] for errors in refused.value.tasks.values())

    first, *others = tasks
    tasks[first]["confirm_carried"] = True
    for other in others:
        tasks[other]["percent_complete"] = 60
    save(report_a, dept_a_user, tasks, indicators)
    assert not TaskUpdate.objects.filter(report=report_a, carried_over=True).exists()
    assert services.submit_report(report=fresh(report_a), by=dept_a_user, carried_must_be_confirmed=True).status == (
        "submitted"
    )
    change = fresh(report_a).events.filter(action="save").first().changes.filter(field="carried_over").first()
    assert (change.field_label, change.before_display, change.after_display) == ("沿用上季度", "是", "否")


def test_the_review_page_shows_each_figure_beside_the_last_approved_and_the_change(
    approved_last_quarter, report_a, dept_a_user, office_client
):
    store(report_a, dept_a_user, value=Decimal("10.5"), change_explanation="新增造林面积。")
    services.submit_report(report=fresh(report_a), by=dept_a_user)

    html = office_client.get(url(report_a)).content.decode()
    row = html[html.index(f'id="indicator-{forest(report_a)}"') :]
    row = row[: row.index("</tr>")]
    assert "<strong>10.5</strong>" in row
    assert "7.39" in row and str(approved_last_quarter.period) in row
    assert "+3.11" in row and "+42.1%" in row
    assert "需说明变化" in row
    assert "新增造林面积。" in row
    assert 'name="item-indicator-' in row


def test_the_office_returns_with_a_comment_on_one_item(approved_last_quarter, report_a, dept_a_user, office_client):
    store(report_a, dept_a_user, value=Decimal("7.5"))
    services.submit_report(report=fresh(report_a), by=dept_a_user)
    f = forest(report_a)

    office_client.post(url(report_a) + "return/", {"comment": "", f"item-indicator-{f}": "请附测算依据。"})

    report = fresh(report_a)
    assert report.status == "returned"
    assert report.office_comment == "【全区森林覆盖率】请附测算依据。"


def test_the_form_and_the_office_home_read_in_a_fixed_number_of_queries(report_a, dept_a_client, office_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from indicators.models import Indicator
    from targets.models import Task

    def queries(client, path) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    small = queries(dept_a_client, url(report_a)), queries(office_client, reverse("tasks:home"))
    for task in Task.objects.exclude(updates__report=report_a)[:5]:
        TaskUpdate.objects.create(report=report_a, task=task)
    for indicator in Indicator.objects.exclude(values__report=report_a)[:5]:
        IndicatorValue.objects.create(report=report_a, indicator=indicator)
    large = queries(dept_a_client, url(report_a)), queries(office_client, reverse("tasks:home"))
    assert small == large
    assert large[0] <= 20 and large[1] <= 15
