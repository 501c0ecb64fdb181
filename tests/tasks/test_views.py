"""The report page as a department member uses it: validation messages, kept input, conflicts, history,
and major problems reaching the office."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from indicators.models import Indicator
from tasks import services
from tasks.models import IndicatorValue, QuarterlyReport, ReportEvent, ReportingPeriod, ReportStatus
from tests.factories import percent_down_flag
from tests.tasks.test_smoke import complete_data

pytestmark = pytest.mark.django_db


def fresh(report) -> QuarterlyReport:
    return QuarterlyReport.objects.get(pk=report.pk)


def form_data(report, *, action="save", version=None, tasks=None, indicators=None) -> dict:
    """What the report form posts when the user changes nothing but `tasks`/`indicators` ({id: {field: value}})."""
    report = fresh(report)
    data = {"version": str(report.version if version is None else version), "action": action}
    for update in report.task_updates.all():
        prefix = f"t{update.task_id}-"
        values = {
            "status": update.status,
            "percent_complete": "" if update.percent_complete is None else str(update.percent_complete),
            "work_done": update.work_done,
            "problems": update.problems,
            "next_steps": update.next_steps,
            "major_problem": update.major_problem,
        }
        values.update((tasks or {}).get(update.task_id, {}))
        for name, value in values.items():
            if name == "major_problem":
                if value:
                    data[prefix + name] = "on"
            else:
                data[prefix + name] = value
    for row in report.indicator_values.select_related("indicator"):
        prefix = f"i{row.indicator_id}-"
        values = {"data_source": row.data_source, "note": row.note}
        if row.indicator.is_milestone:
            values["reached"] = "" if row.reached is None else ("yes" if row.reached else "no")
        else:
            values["value"] = "" if row.value is None else format(row.value.normalize(), "f")
            values["change_explanation"] = row.change_explanation
        values.update((indicators or {}).get(row.indicator_id, {}))
        for name, value in values.items():
            data[prefix + name] = value
    return data


def field_html(html: str, name: str) -> str:
    """The markup of one field's wrapper (label, control and its errors), found by the control's name."""
    at = html.index(f'name="{name}"')
    start = html.rindex('<div class="field', 0, at)
    end = html.find('<div class="field', at)
    return html[start : end if end != -1 else len(html)]


def task_id(report, code: str) -> int:
    return next(u.task_id for u in report.task_updates.select_related("task__area") if u.task.code == code)


def indicator_id(report, code: str) -> int:
    return report.indicator_values.get(indicator__code=code).indicator_id


def url(report) -> str:
    return reverse("tasks:report-detail", args=[report.pk])


def save_complete(report, user):
    report = fresh(report)
    tasks, indicators = complete_data(report)
    services.save_draft(report=report, by=user, version=report.version, task_data=tasks, indicator_data=indicators)
    return fresh(report)


# --- validation messages and kept input --------------------------------------------------------------------


def test_percent_over_100_is_refused_next_to_the_field_and_typed_input_is_kept(report_a, dept_a_client):
    t = task_id(report_a, "6.2")
    version = fresh(report_a).version
    data = form_data(
        report_a,
        tasks={t: {"percent_complete": "150", "work_done": "完成七里海湿地补水两次。", "next_steps": "继续补植芦苇。"}},
    )

    response = dept_a_client.post(url(report_a), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "完成百分比须在 0 到 100 之间。" in field_html(html, f"t{t}-percent_complete")
    assert "has-error" in field_html(html, f"t{t}-percent_complete")
    assert "完成七里海湿地补水两次。" in field_html(html, f"t{t}-work_done")
    assert "继续补植芦苇。" in field_html(html, f"t{t}-next_steps")
    assert 'value="150"' in field_html(html, f"t{t}-percent_complete")
    assert "未保存：请修改标出的 1 处错误。" in html
    # nothing stored, not even the valid fields
    report = fresh(report_a)
    assert report.version == version
    assert report.task_updates.get(task_id=t).work_done == ""
    assert not report.events.filter(action=ReportEvent.Action.SAVE).exists()


def test_negative_percent_is_refused(report_a, dept_a_client):
    t = task_id(report_a, "6.1")
    response = dept_a_client.post(url(report_a), form_data(report_a, tasks={t: {"percent_complete": "-5"}}))
    assert response.status_code == 200
    assert "完成百分比须在 0 到 100 之间。" in field_html(response.content.decode(), f"t{t}-percent_complete")
    assert fresh(report_a).task_updates.get(task_id=t).percent_complete is None


def test_completed_task_below_100_percent_is_refused(report_a, dept_a_client):
    t = task_id(report_a, "6.1")
    response = dept_a_client.post(
        url(report_a), form_data(report_a, tasks={t: {"status": "completed", "percent_complete": "80"}})
    )
    assert "状态为“已完成”的任务，完成百分比应为 100。" in field_html(
        response.content.decode(), f"t{t}-percent_complete"
    )


def test_value_outside_indicator_range_is_refused(report_a, dept_a_client):
    i = indicator_id(report_a, "forest-coverage")
    Indicator.objects.filter(pk=i).update(min_value=Decimal("0"), max_value=Decimal("100"))
    version = fresh(report_a).version

    response = dept_a_client.post(
        url(report_a), form_data(report_a, indicators={i: {"value": "150", "data_source": "林业统计年报"}})
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "数值高于合理范围（0 至 100 %）。" in field_html(html, f"i{i}-value")
    assert 'value="林业统计年报"' in field_html(html, f"i{i}-data_source")
    assert fresh(report_a).version == version
    assert IndicatorValue.objects.get(report=report_a, indicator_id=i).value is None

    response = dept_a_client.post(url(report_a), form_data(report_a, indicators={i: {"value": "-1"}}))
    assert "数值低于合理范围（0 至 100 %）。" in field_html(response.content.decode(), f"i{i}-value")

    response = dept_a_client.post(url(report_a), form_data(report_a, indicators={i: {"value": "100"}}))
    assert response.status_code == 302
    assert IndicatorValue.objects.get(report=report_a, indicator_id=i).value == Decimal("100")


@pytest.fixture
def last_approved_coverage(plan, period, dept_a_user):
    """An approved report of the previous quarter in which forest coverage was 10 %."""
    earlier = ReportingPeriod.objects.create(
        year=period.year - 1, quarter=4, opens_on=dt.date(period.year - 1, 12, 1), due_on=dt.date(period.year, 1, 10)
    )
    report = QuarterlyReport.objects.create(
        plan=plan,
        department=dept_a_user.membership.department,
        period=earlier,
        status=ReportStatus.APPROVED,
        updated_by=dept_a_user,
    )
    indicator = Indicator.objects.get(plan=plan, code="forest-coverage")
    IndicatorValue.objects.create(report=report, indicator=indicator, value=Decimal("10"), data_source="林业统计年报")
    return indicator


def test_large_change_from_last_approved_value_needs_an_explanation(report_a, dept_a_client, last_approved_coverage):
    i = last_approved_coverage.pk
    version = fresh(report_a).version

    response = dept_a_client.post(url(report_a), form_data(report_a, indicators={i: {"value": "20"}}))

    assert response.status_code == 200
    html = response.content.decode()
    assert "与上季度数值（10）相比变动超过 30%，请填写变动说明。" in field_html(html, f"i{i}-change_explanation")
    assert 'value="20"' in field_html(html, f"i{i}-value")
    assert fresh(report_a).version == version

    response = dept_a_client.post(
        url(report_a),
        form_data(report_a, indicators={i: {"value": "20", "change_explanation": "七里海湿地新增造林5000亩。"}}),
    )

    assert response.status_code == 302
    row = IndicatorValue.objects.get(report=report_a, indicator=last_approved_coverage)
    assert row.value == Decimal("20")
    assert row.change_explanation == "七里海湿地新增造林5000亩。"


def test_small_change_from_last_approved_value_needs_no_explanation(report_a, dept_a_client, last_approved_coverage):
    i = last_approved_coverage.pk
    response = dept_a_client.post(url(report_a), form_data(report_a, indicators={i: {"value": "12.5"}}))
    assert response.status_code == 302
    assert IndicatorValue.objects.get(report=report_a, indicator_id=i).value == Decimal("12.5")


def test_major_problem_without_a_description_is_refused(report_a, dept_a_client, office_user):
    office_user.email = "office@ninghe.example"
    office_user.save()
    t = task_id(report_a, "6.2")
    version = fresh(report_a).version

    response = dept_a_client.post(url(report_a), form_data(report_a, tasks={t: {"major_problem": True}}))

    assert response.status_code == 200
    assert "请在“存在问题”中说明重大问题，以便办公室及时处理。" in field_html(
        response.content.decode(), f"t{t}-problems"
    )
    assert fresh(report_a).version == version
    assert not fresh(report_a).task_updates.get(task_id=t).major_problem
    assert mail.outbox == []


def test_valid_save_stores_the_values_and_says_so(report_a, dept_a_client):
    t = task_id(report_a, "6.2")
    response = dept_a_client.post(
        url(report_a),
        form_data(report_a, tasks={t: {"status": "in_progress", "percent_complete": "30", "work_done": "补植。"}}),
        follow=True,
    )
    assert "草稿已保存。" in response.content.decode()
    update = fresh(report_a).task_updates.get(task_id=t)
    assert (update.status, update.percent_complete, update.work_done) == ("in_progress", 30, "补植。")


def test_complete_report_is_submitted_from_the_form(report_a, dept_a_user, dept_a_client):
    report = save_complete(report_a, dept_a_user)
    response = dept_a_client.post(url(report), form_data(report, action="submit"), follow=True)
    assert "报告已提交。" in response.content.decode()
    assert fresh(report).status == ReportStatus.SUBMITTED


def test_submitting_an_incomplete_report_saves_the_draft_and_marks_missing_fields(report_a, dept_a_client):
    t = task_id(report_a, "6.2")

    response = dept_a_client.post(
        url(report_a), form_data(report_a, action="submit", tasks={t: {"work_done": "补植。"}})
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "已保存为草稿，但未提交：请补全标出的内容。" in html
    assert "提交报告前必须填写。" in field_html(html, f"t{t}-percent_complete")
    report = fresh(report_a)
    assert report.status == ReportStatus.DRAFT
    assert report.task_updates.get(task_id=t).work_done == "补植。"


# --- version conflict --------------------------------------------------------------------------------------


@pytest.fixture
def colleague_client(dept_a_colleague):
    client = Client()
    client.force_login(dept_a_colleague)
    return client


def conflict_panel(html: str) -> str:
    start = html.index('id="conflict"')
    return html[start : html.index("</section>", start)]


def opened_version(client, report) -> str:
    html = client.get(url(report)).content.decode()
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def test_second_save_from_a_stale_form_is_refused_and_shows_the_other_change(report_a, dept_a_client, colleague_client):
    t = task_id(report_a, "6.2")
    mine_version = opened_version(dept_a_client, report_a)
    theirs_version = opened_version(colleague_client, report_a)
    assert mine_version == theirs_version

    theirs = form_data(report_a, version=theirs_version, tasks={t: {"work_done": "同事填写：完成补水。"}})
    mine = form_data(
        report_a, version=mine_version, tasks={t: {"work_done": "我填写：完成造林。", "next_steps": "我的下季度计划。"}}
    )

    first = colleague_client.post(url(report_a), theirs)
    assert first.status_code == 302
    second = dept_a_client.post(url(report_a), mine)

    assert second.status_code == 200
    html = second.content.decode()
    conflict = conflict_panel(html)
    assert "未保存：他人已修改此报告" in conflict
    assert "dept-a-2" in conflict  # who saved in between
    assert "本季度工作进展" in conflict  # the changed field, with before and after
    assert re.search(r'<td class="before">–</td><td class="after">同事填写：完成补水。</td>', conflict)
    # my typed input is still in the form
    assert "我填写：完成造林。" in field_html(html, f"t{t}-work_done")
    assert "我的下季度计划。" in field_html(html, f"t{t}-next_steps")
    # the colleague's data is intact
    update = fresh(report_a).task_updates.get(task_id=t)
    assert update.work_done == "同事填写：完成补水。"
    assert update.next_steps == ""
    assert fresh(report_a).version == int(theirs_version) + 1


def test_conflict_shows_every_change_made_since_the_form_was_opened(report_a, dept_a_client, colleague_client):
    t = task_id(report_a, "6.2")
    mine = form_data(report_a, version=opened_version(dept_a_client, report_a), tasks={t: {"problems": "我的问题。"}})
    colleague_client.post(url(report_a), form_data(report_a, tasks={t: {"work_done": "第一次修改。"}}))
    colleague_client.post(url(report_a), form_data(report_a, tasks={t: {"next_steps": "第二次修改。"}}))

    html = dept_a_client.post(url(report_a), mine).content.decode()

    conflict = conflict_panel(html)
    assert "未保存：他人已修改此报告" in conflict
    assert "第二次修改。" in conflict
    assert "第一次修改。" in conflict


# --- history on the page -----------------------------------------------------------------------------------


def history_html(client, report) -> str:
    html = client.get(url(report)).content.decode()
    return html[html.index('id="history"') :]


def test_report_page_shows_each_save_with_its_field_changes(report_a, dept_a_client):
    t = task_id(report_a, "6.2")
    dept_a_client.post(url(report_a), form_data(report_a, tasks={t: {"percent_complete": "20"}}))
    dept_a_client.post(url(report_a), form_data(report_a, tasks={t: {"percent_complete": "45"}}))

    history = history_html(dept_a_client, report_a)

    assert history.count("保存草稿") == 2
    assert '<td class="before">20</td><td class="after">45</td>' in history
    assert '<td class="before">–</td><td class="after">20</td>' in history
    assert "完成百分比" in history
    assert "6.2 提升生态系统碳汇能力" in history


def test_posting_an_unchanged_form_records_no_event(report_a, dept_a_client):
    events = report_a.events.count()
    version = fresh(report_a).version
    response = dept_a_client.post(url(report_a), form_data(report_a))
    assert response.status_code == 302
    assert report_a.events.count() == events
    assert fresh(report_a).version == version


def test_report_page_shows_submit_return_and_approval_with_actors_and_comments(
    report_a, dept_a_user, dept_a_client, office_user, office_client
):
    report = save_complete(report_a, dept_a_user)
    dept_a_client.post(url(report), form_data(report, action="submit"))
    office_client.post(reverse("tasks:report-action", args=[report.pk, "return"]), {"comment": "请补充佐证材料。"})
    report = save_complete(report, dept_a_user)  # unchanged data: no event
    t = task_id(report, "6.2")
    dept_a_client.post(url(report), form_data(report, action="submit", tasks={t: {"work_done": "已补充佐证。"}}))
    office_client.post(reverse("tasks:report-action", args=[report.pk, "approve"]), {"comment": ""})
    office_client.post(reverse("tasks:report-action", args=[report.pk, "reopen"]), {"comment": "更正森林面积。"})

    report = fresh(report)
    assert report.status == ReportStatus.RETURNED
    actions = list(report.events.order_by("pk").values_list("action", "actor__username"))
    assert actions == [
        ("create", "dept-a"),
        ("save", "dept-a"),
        ("submit", "dept-a"),
        ("return", "office"),
        ("save", "dept-a"),
        ("submit", "dept-a"),
        ("approve", "office"),
        ("reopen", "office"),
    ]
    history = history_html(office_client, report)
    for label in ("创建", "保存草稿", "已提交", "退回修改", "已审核通过", "办公室重新打开"):
        assert label in history
    assert "“请补充佐证材料。”" in history
    assert "“更正森林面积。”" in history
    assert history.count("<strong>办公室</strong>") == 3  # the office user's name on return, approve, reopen
    assert history.count("<strong>dept-a</strong>") == 5  # create, two saves, two submissions
    assert '<td class="before">完成了工作。</td><td class="after">已补充佐证。</td>' in history


def test_report_page_shows_the_heads_sign_off(report_a, dept_a_user, dept_a_head, dept_a_client):
    department = report_a.department
    department.requires_head_signoff = True
    department.save()
    report = save_complete(report_a, dept_a_user)
    services.submit_report(report=report, by=dept_a_user)
    head = Client()
    head.force_login(dept_a_head)

    page = head.get(url(report)).content.decode()
    assert 'id="review"' in page  # the head gets the sign-off buttons
    head.post(reverse("tasks:report-action", args=[report.pk, "sign-off"]), {"comment": "同意。"})

    history = history_html(dept_a_client, report)
    assert "负责人审签通过" in history
    assert "<strong>dept-a-head</strong>" in history
    assert "“同意。”" in history
    assert fresh(report).status == ReportStatus.SUBMITTED


def test_reporter_sees_the_office_comment_on_a_returned_report(report_a, dept_a_user, dept_a_client, office_user):
    report = save_complete(report_a, dept_a_user)
    services.submit_report(report=report, by=dept_a_user)
    services.return_report(report=fresh(report), by=office_user, comment="请补充6.2任务的佐证。")

    html = dept_a_client.get(url(report)).content.decode()
    assert "退回意见" in html
    assert "请补充6.2任务的佐证。" in html
    home = dept_a_client.get(reverse("tasks:home")).content.decode()
    assert "请补充6.2任务的佐证。" in home


def test_head_return_comment_replaces_the_old_comment_shown_to_reporters(
    report_a, dept_a_user, dept_a_head, dept_a_client, office_user
):
    department = report_a.department
    department.requires_head_signoff = True
    department.save()
    report = save_complete(report_a, dept_a_user)
    services.submit_report(report=report, by=dept_a_user)
    services.sign_off_report(report=fresh(report), by=dept_a_head, approve=True)
    services.return_report(report=fresh(report), by=office_user, comment="办公室：请补充佐证。")
    t = task_id(report, "6.2")
    services.save_draft(
        report=fresh(report),
        by=dept_a_user,
        version=fresh(report).version,
        task_data={t: {"work_done": "已补充佐证。"}},
        indicator_data={},
    )
    services.submit_report(report=fresh(report), by=dept_a_user)

    services.sign_off_report(report=fresh(report), by=dept_a_head, approve=False, comment="负责人：数据来源写全。")

    html = dept_a_client.get(url(report)).content.decode()
    panel = html[html.index('id="office-comment"') : html.index("</section>", html.index('id="office-comment"'))]
    assert "负责人：数据来源写全。" in panel
    assert "办公室：请补充佐证。" not in panel
    home = dept_a_client.get(reverse("tasks:home")).content.decode()
    assert "负责人：数据来源写全。" in home


def test_return_without_comment_from_the_page_shows_the_chinese_message(
    report_a, dept_a_user, office_user, office_client
):
    report = save_complete(report_a, dept_a_user)
    services.submit_report(report=report, by=dept_a_user)

    response = office_client.post(
        reverse("tasks:report-action", args=[report.pk, "return"]), {"comment": ""}, follow=True
    )

    assert "请说明需要修改的内容。" in response.content.decode()
    assert fresh(report).status == ReportStatus.SUBMITTED


# --- major problems ----------------------------------------------------------------------------------------


@pytest.fixture
def office_with_email(office_user):
    office_user.email = "office@ninghe.example"
    office_user.save()
    return office_user


def test_flagging_a_major_problem_emails_the_office_once(
    report_a, dept_a_user, viewer_user, dept_a_client, office_with_email, django_capture_on_commit_callbacks
):
    for other in (dept_a_user, viewer_user):
        other.email = f"{other.username}@ninghe.example"
        other.save()
    t = task_id(report_a, "6.2")
    problem = "湿地补水水源不足，造林计划无法完成。"

    with django_capture_on_commit_callbacks(execute=True):
        response = dept_a_client.post(
            url(report_a), form_data(report_a, tasks={t: {"major_problem": True, "problems": problem}})
        )

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["office@ninghe.example"]  # not the viewer, not the department
    assert "【重大问题】七里海管委会" in message.subject
    assert problem in message.body
    assert "6.2" in message.body

    # saving again with the flag still set tells nobody again
    with django_capture_on_commit_callbacks(execute=True):
        dept_a_client.post(url(report_a), form_data(report_a, tasks={t: {"next_steps": "协调水务局。"}}))
    assert len(mail.outbox) == 1


def test_major_problem_in_a_draft_appears_on_the_office_home_at_once(
    report_a, dept_a_client, office_client, office_with_email, django_capture_on_commit_callbacks
):
    t = task_id(report_a, "6.2")
    problem = "湿地补水水源不足，造林计划无法完成。"
    with django_capture_on_commit_callbacks(execute=True):
        dept_a_client.post(url(report_a), form_data(report_a, tasks={t: {"major_problem": True, "problems": problem}}))
    assert fresh(report_a).status == ReportStatus.DRAFT

    html = office_client.get(reverse("tasks:home")).content.decode()

    panel = html[html.index('id="major-problems"') : html.index("</section>", html.index('id="major-problems"'))]
    assert "报告的重大问题" in panel
    assert "七里海管委会" in panel
    assert problem in panel
    assert f"{url(report_a)}#task-{t}" in panel


def test_office_home_has_no_major_problem_panel_without_major_problems(report_a, office_client):
    html = office_client.get(reverse("tasks:home")).content.decode()
    assert 'id="major-problems"' not in html


def test_viewer_does_not_see_major_problems_of_unapproved_reports(
    report_a, dept_a_client, viewer_client, django_capture_on_commit_callbacks
):
    t = task_id(report_a, "6.2")
    with django_capture_on_commit_callbacks(execute=True):
        dept_a_client.post(
            url(report_a), form_data(report_a, tasks={t: {"major_problem": True, "problems": "草稿中的问题。"}})
        )
    html = viewer_client.get(reverse("tasks:home")).content.decode()
    assert "草稿中的问题。" not in html


def test_department_home_lists_its_own_reports_only(report_a, report_b, dept_a_client):
    html = dept_a_client.get(reverse("tasks:home")).content.decode()
    assert url(report_a) in html
    assert url(report_b) not in html


def test_a_tampered_version_is_refused_as_a_conflict_not_a_crash(report_a, dept_a_client):
    data = form_data(report_a)
    data["version"] = "abc"
    response = dept_a_client.post(url(report_a), data)
    assert response.status_code == 200
    assert "未保存：他人已修改此报告" in response.content.decode()
    assert fresh(report_a).version == report_a.version


def test_log_in_and_password_pages_are_in_chinese(client, dept_a_client):
    assert "登录" in client.get(reverse("login")).content.decode()
    page = dept_a_client.get(reverse("password_change")).content.decode()
    assert "修改密码" in page and "旧密码" in page
    response = dept_a_client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "Ninghe-2026-x", "new_password2": "Ninghe-2026-x"},
    )
    assert "你的旧密码不正确" in response.content.decode() or "旧密码不正确" in response.content.decode()


# --- quality flags on the review page --------------------------------------------------------------------------


@pytest.fixture
def flagged(report_a, dept_a_user):
    """A's submitted report with one open check prompt on its first task."""
    tasks, indicators = complete_data(report_a)
    services.save_draft(
        report=fresh(report_a),
        by=dept_a_user,
        version=fresh(report_a).version,
        task_data=tasks,
        indicator_data=indicators,
    )
    report = services.submit_report(report=fresh(report_a), by=dept_a_user)
    percent_down_flag(report)
    return report


def test_office_sees_the_check_prompts_with_their_sentence_and_can_dismiss_one(flagged, office_client):
    page = office_client.get(flagged.get_absolute_url()).content.decode()
    assert 'id="quality-flags"' in page and "待核查提示" in page
    assert "完成百分比由2025年第4季度的60%降至40%。" in page
    flag = flagged.quality_flags.get()
    url = reverse("tasks:flag-dismiss", args=[flagged.pk, flag.pk])
    assert url in page

    refused = office_client.post(url, {"reason": ""}, follow=True).content.decode()
    assert "请填写忽略这条待核查提示的理由" in refused and flagged.quality_flags.get().is_open

    page = office_client.post(url, {"reason": "林地清查口径调整。"}, follow=True).content.decode()
    assert not flagged.quality_flags.get().is_open
    assert "办公室 于" in page and "“林地清查口径调整。”" in page  # who, when and why beside the prompt
    assert url not in page
    assert "忽略待核查提示" in page  # and in the history


def test_units_do_not_see_check_prompts_nor_dismiss_them(flagged, dept_a_client):
    page = dept_a_client.get(flagged.get_absolute_url()).content.decode()
    assert 'id="quality-flags"' not in page and "降至40%" not in page
    flag = flagged.quality_flags.get()
    response = dept_a_client.post(reverse("tasks:flag-dismiss", args=[flagged.pk, flag.pk]), {"reason": "没问题。"})
    assert response.status_code == 403
    assert flagged.quality_flags.get().is_open


def test_another_unit_cannot_reach_a_prompt_by_its_id(flagged, dept_b_client):
    flag = flagged.quality_flags.get()
    response = dept_b_client.post(reverse("tasks:flag-dismiss", args=[flagged.pk, flag.pk]), {"reason": "x"})
    assert response.status_code == 404
