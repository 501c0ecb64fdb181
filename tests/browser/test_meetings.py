"""A dispatch meeting (调度会) in Chromium, as the office records it: the meeting with its date and the units
attending, a topic with a task discussed, a decision with its unit and deadline, typed and reached by keyboard; the
decision is a supervision notice the unit finds on its home page; the minutes PDF carries it in its decisions table."""

import datetime as dt
import itertools
import re
import subprocess

import pytest
from django.utils import timezone

from departments.models import Department
from meetings.models import Decision, Meeting
from targets.models import Task
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_accessibility import focus, tab_until
from tests.browser.test_dashboard import log_in
from tests.browser.test_reporting_flow import log_out
from tests.browser.test_supervision import member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OWNER, OTHER = "七里海管委会", "区发展改革委"
DECISION = "七里海湿地补植方案月底前报送办公室"


def type_date(page, day: dt.date) -> None:
    """A date typed into the focused date field as a person does, digit by digit: Debian's headless Chromium lays
    the field out as mm/dd/yyyy (its own language, not the page's), each part moving on to the next when full."""
    page.keyboard.type(f"{day:%m%d%Y}")
    name = focus(page)["name"]
    page.keyboard.press("Tab")  # a filled date field's own calendar button, with the browser's focus ring
    assert focus(page)["name"] == name


def test_the_office_records_a_meeting_whose_decision_reaches_the_unit_and_the_minutes(
    live_server, page, demo_plan, screenshot, tmp_path
):
    base = live_server.url
    today = timezone.localdate()
    deadline = today + dt.timedelta(days=20)
    owner, other = Department.objects.get(name=OWNER), Department.objects.get(name=OTHER)
    task = Task.objects.filter(area__plan=demo_plan, responsibilities__department=owner).order_by("pk").first()

    # the office records the meeting, by keyboard
    log_in(page, base, "demo-office")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="调度会").click()
    page.get_by_role("link", name="记录调度会").click()
    assert page.get_by_role("heading", level=1).inner_text() == "记录调度会"
    tab_until(page, lambda f: f["name"] == "title")
    page.keyboard.type("2026年第四季度碳达峰工作调度会")
    tab_until(page, lambda f: f["name"] == "held_on")
    type_date(page, today)
    assert page.get_by_label("召开日期").input_value() == today.isoformat()
    tab_until(page, lambda f: f["name"] == "place")
    page.keyboard.type("区政府第一会议室")
    tab_until(page, lambda f: f["name"] == "chair")
    page.keyboard.type("区发展改革委主任")
    for unit in (owner, other):
        tab_until(page, lambda f, pk=str(unit.pk): f["name"] == "attendees" and f["value"] == pk)
        page.keyboard.press("Space")
    assert (
        page.get_by_role("checkbox", name=OWNER).is_checked() and page.get_by_role("checkbox", name=OTHER).is_checked()
    )
    screenshot("meeting-0-record")
    tab_until(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "保存")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=会议已记录，请添加议题和议定事项。")
    meeting = Meeting.objects.get()
    assert (meeting.held_on, set(meeting.attendees.all())) == (today, {owner, other})

    # a topic with a task discussed
    topic_form = page.locator("form[action$='/topic/']")
    topic_form.get_by_label("议题").focus()
    page.keyboard.type("森林覆盖率进度滞后")
    page.keyboard.press("Tab")
    assert focus(page)["name"] == "discussion"
    page.keyboard.type("造林用地不足，需统筹补植地块。")
    page.keyboard.press("Tab")
    assert focus(page)["name"] == "tasks"
    topic_form.get_by_label("涉及任务").select_option(str(task.pk))
    tab_until(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "添加议题")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=议题已添加。")
    assert f"{task.code} {task.title}" in page.locator("main").inner_text()

    # a decision: every control of its form is reached by Tab, in order, and shows its focus
    tab_until(page, lambda f: f["name"] == "text")
    page.keyboard.type(DECISION)
    stops = []
    for _ in range(5):
        page.keyboard.press("Tab")
        stops.append(focus(page)["name"] or focus(page)["text"])
        if stops[-1] == "topic":
            page.keyboard.press("ArrowDown")  # the meeting's one topic, after the empty choice
        elif stops[-1] == "deadline":
            type_date(page, deadline)
    assert stops == ["topic", "responsible", "deadline", "level", "添加议定事项"]
    decision_form = page.locator("form[action$='/decision/']")
    decision_form.get_by_label("承办单位").select_option(label=OWNER)
    assert decision_form.get_by_label("议题").locator("option:checked").inner_text() == "森林覆盖率进度滞后"
    assert decision_form.get_by_label("办理期限").input_value() == deadline.isoformat()
    assert decision_form.get_by_label("督办级别").locator("option:checked").inner_text() == "督办"
    decision_form.get_by_role("button", name="添加议定事项").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=议定事项已记录")
    notice = Decision.objects.get().notice
    assert (notice.responsible, notice.deadline, notice.requirement) == (owner, deadline, DECISION)
    row = page.locator("main table tbody tr").filter(has_text=DECISION)
    assert re.sub(r"\s+", " ", row.inner_text()).split(" ")[1:4] == [
        OWNER,
        f"{deadline:%Y-%m-%d}",
        notice.display_number,
    ]
    screenshot("meeting-1-detail")

    # the minutes, downloaded: the decisions table holds the decision, its unit and its deadline
    with page.expect_download() as download:
        page.get_by_role("link", name="下载会议纪要（PDF）").click()
    pdf = tmp_path / download.value.suggested_filename
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(ARTIFACTS / "meeting-3-minutes")],
        check=True,
    )
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert "2026年第四季度碳达峰工作调度会会议纪要" in flat
    assert f"{OWNER}、{OTHER}" in flat or f"{OTHER}、{OWNER}" in flat
    # the table's one row: number, unit, deadline and notice whole on its line; the decision may wrap below it
    lines = text.splitlines()
    [at] = [n for n, line in enumerate(lines) if notice.display_number in line]
    number, first, *rest = lines[at].split()
    wrapped = "".join(line.strip() for line in itertools.takewhile(str.strip, lines[at + 1 :]))
    assert (number, first + wrapped) == ("1", DECISION)
    assert rest == [OWNER, f"{deadline.year}年{deadline.month}月{deadline.day}日", notice.display_number]
    log_out(page)

    # the owner unit finds the decision's notice at the top of its home page
    log_in(page, base, member_of(owner))
    panel = page.locator("#supervision-notices")
    assert notice.display_number in panel.inner_text() and DECISION[:20] in panel.inner_text()
    screenshot("meeting-2-unit-home")
    panel.get_by_role("link", name=notice.display_number, exact=False).click()
    assert DECISION in page.locator("main").inner_text()
