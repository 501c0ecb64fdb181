"""The spreadsheet route for quarterly reports: download an .xlsx prefilled with the report, fill it in
offline, upload it back.

Units often collect their figures from several offices by passing a spreadsheet around, so the workbook is
a second way into the same report, not a second set of rules: every uploaded row goes through the field
rules of the web form (tasks.validation) and is stored by tasks.services.save_draft, which checks
permissions and the version and writes the history. An upload with any bad cell saves nothing, and each
problem is reported by sheet, row and column as Excel shows them, so the user can find it in the file.

The sheet names, headers and words in the cells (未启动, 是/否 ...) are the file's format, read back on
upload; they are therefore fixed Chinese strings, not translated text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import DecimalValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from indicators.models import Indicator

from . import permissions
from .cells import put_text, text_only
from .limits import text_problem
from .models import IndicatorValue, QuarterlyReport, ReportEvent, TaskStatus, TaskUpdate
from .selectors import previous_values, role_in_task
from .services import ReportErrors, log_refusal, save_draft
from .validation import check_indicator_value, check_task_update

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A filled-in report is a few dozen kilobytes; the limits keep a hostile upload (or a zip bomb) from
# tying up a worker while staying far above any real report.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024

TASK_SHEET = "任务进展"
INDICATOR_SHEET = "指标数值"
INFO_SHEET = "说明"

REPORT_ID_LABEL = "报告编号"
VERSION_LABEL = "版本号"

YES, NO = "是", "否"

STATUS_WORDS = {
    TaskStatus.NOT_STARTED: "未启动",
    TaskStatus.IN_PROGRESS: "推进中",
    TaskStatus.COMPLETED: "已完成",
    TaskStatus.BEHIND: "滞后",
}
STATUS_FROM_WORD = {word: str(status) for status, word in STATUS_WORDS.items()}
ROLE_WORDS = {"lead": "牵头", "co": "配合"}
VALUE_KIND_WORDS = {
    Indicator.ValueKind.STOCK: "时点值",
    Indicator.ValueKind.CUMULATIVE: "累计值",
    Indicator.ValueKind.RATE: "比率",
}


@dataclass(frozen=True)
class Column:
    """One column of a sheet; `field` names the model field it fills, empty for the locked identity columns."""

    header: str
    field: str = ""
    width: int = 12
    wrap: bool = False


TASK_COLUMNS = (
    Column("任务编号", width=12),
    Column("任务名称", width=30, wrap=True),
    Column("分工", width=8),
    Column("状态", "status", 10),
    Column("完成百分比", "percent_complete", 12),
    Column("本季度工作进展", "work_done", 45, wrap=True),
    Column("存在问题", "problems", 30, wrap=True),
    Column("下季度工作计划", "next_steps", 40, wrap=True),
    Column("重大问题", "major_problem", 10),
)
INDICATOR_COLUMNS = (
    Column("指标编号", width=22),
    Column("指标名称", width=28, wrap=True),
    Column("单位", width=10),
    Column("值类型", width=10),
    Column("本季度数值", "value", 14),
    Column("是否实现", "reached", 10),
    Column("数据来源", "data_source", 24, wrap=True),
    Column("备注", "note", 30, wrap=True),
    Column("变动说明", "change_explanation", 30, wrap=True),
)
# Fields a milestone indicator does not have, and the one only it has; as in the web form.
NUMERIC_ONLY_FIELDS = ("value", "change_explanation")
MILESTONE_ONLY_FIELDS = ("reached",)


@dataclass(frozen=True)
class CellError:
    """A problem with one cell, located as Excel shows it; sheet-level or file-level problems leave the rest empty."""

    sheet: str
    row: int | None
    column_letter: str
    column_header: str
    message: str

    def __str__(self) -> str:
        if not self.sheet:
            return self.message
        if self.row is None:
            return _("Sheet “%(sheet)s”: %(message)s") % {"sheet": self.sheet, "message": self.message}
        return _("Sheet “%(sheet)s”, row %(row)s, column %(column)s (%(header)s): %(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column_letter,
            "header": self.column_header,
            "message": self.message,
        }


@dataclass
class ParsedUpload:
    """What an uploaded workbook says, in the shape save_draft takes, plus everything wrong with it."""

    task_data: dict[int, dict] = field(default_factory=dict)
    indicator_data: dict[int, dict] = field(default_factory=dict)
    version: int | None = None
    cell_errors: list[CellError] = field(default_factory=list)
    # Where each row came from, to place errors found later (by save_draft) back on the sheet.
    task_rows: dict[int, int] = field(default_factory=dict)
    indicator_rows: dict[int, int] = field(default_factory=dict)

    def add(self, sheet: str, row: int | None, column: int | None, header: str, message: str) -> None:
        letter = get_column_letter(column) if column else ""
        self.cell_errors.append(CellError(sheet, row, letter, header, str(message)))


@dataclass
class ImportOutcome:
    """Either the errors (nothing saved) or the history event of the save (None when nothing changed)."""

    errors: list[CellError] = field(default_factory=list)
    event: ReportEvent | None = None
    changed: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------------------------------------- download


def workbook_filename(report: QuarterlyReport) -> str:
    """七里海管委会_2026年第1季度_季度报告.xlsx: the file is a Chinese document, so is its name."""
    return f"{report.department.name}_{_quarter_words(report)}_季度报告.xlsx"


def build_workbook(report: QuarterlyReport) -> bytes:
    """The report's tasks and indicators with their current values, ready to fill in and upload.

    Raises ValidationError when a stored text could not come back unchanged (longer than the field limits,
    which stay below Excel's cell limit, or holding control characters a cell cannot store): a workbook that
    silently cuts text would lose it on upload.
    """
    report = _report_with_rows(report)
    workbook = Workbook()
    tasks = workbook.active
    tasks.title = TASK_SHEET
    _write_tasks(tasks, report)
    _write_indicators(workbook.create_sheet(INDICATOR_SHEET), report)
    _write_info(workbook.create_sheet(INFO_SHEET), report)
    text_only(workbook)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
UNLOCKED = Protection(locked=False)


def _report_with_rows(report: QuarterlyReport) -> QuarterlyReport:
    return QuarterlyReport.objects.select_related("department", "period", "plan").get(pk=report.pk)


def _task_updates(report: QuarterlyReport):
    return report.task_updates.select_related("task__area").prefetch_related("task__responsibilities")


def _indicator_values(report: QuarterlyReport):
    return report.indicator_values.current().select_related("indicator").prefetch_related("indicator__targets")


def _write_tasks(sheet, report: QuarterlyReport) -> None:
    rows = []
    for update in _task_updates(report):
        task = update.task
        rows.append(
            {
                "任务编号": task.code,
                "任务名称": task.title,
                "分工": ROLE_WORDS.get(role_in_task(task, report.department), ""),
                "状态": STATUS_WORDS.get(update.status, ""),
                "完成百分比": update.percent_complete,
                "本季度工作进展": update.work_done,
                "存在问题": update.problems,
                "下季度工作计划": update.next_steps,
                "重大问题": YES if update.major_problem else NO,
            }
        )
    _write_table(sheet, TASK_COLUMNS, rows, editable=lambda row, column: bool(column.field))
    last = len(rows) + 1
    if rows:
        status, percent = _letter(TASK_COLUMNS, "status"), _letter(TASK_COLUMNS, "percent_complete")
        _list_validation(sheet, status, last, list(STATUS_WORDS.values()), "请从下拉列表中选择状态。")
        whole = DataValidation(
            type="whole", operator="between", formula1="0", formula2="100", allow_blank=True, showErrorMessage=True
        )
        whole.error, whole.errorTitle = "请输入 0 到 100 之间的整数。", "完成百分比"
        whole.add(f"{percent}2:{percent}{last}")
        sheet.add_data_validation(whole)
        _list_validation(sheet, _letter(TASK_COLUMNS, "major_problem"), last, [YES, NO], "请选择“是”或“否”。")
        for row in range(2, last + 1):
            sheet[f"{percent}{row}"].number_format = "0"


def _write_indicators(sheet, report: QuarterlyReport) -> None:
    rows, milestones = [], set()
    for position, row in enumerate(_indicator_values(report), start=2):
        indicator = row.indicator
        if indicator.is_milestone:
            milestones.add(position)
        rows.append(
            {
                "指标编号": indicator.code,
                "指标名称": indicator.name,
                "单位": indicator.unit,
                "值类型": VALUE_KIND_WORDS.get(indicator.value_kind, ""),
                "本季度数值": _number_for_cell(row.value),
                "是否实现": {True: YES, False: NO}.get(row.reached),
                "数据来源": row.data_source,
                "备注": row.note,
                "变动说明": row.change_explanation,
            }
        )

    def editable(row: int, column: Column) -> bool:
        if not column.field:
            return False
        if row in milestones:
            return column.field not in NUMERIC_ONLY_FIELDS
        return column.field not in MILESTONE_ONLY_FIELDS

    _write_table(sheet, INDICATOR_COLUMNS, rows, editable=editable)
    last = len(rows) + 1
    if rows:
        decimal = DataValidation(
            type="decimal",
            operator="between",
            formula1="-9999999999",
            formula2="9999999999",
            allow_blank=True,
            showErrorMessage=True,
        )
        decimal.error, decimal.errorTitle = "请输入数字（不含单位），例如 12.5。", "本季度数值"
        value = _letter(INDICATOR_COLUMNS, "value")
        decimal.add(f"{value}2:{value}{last}")
        sheet.add_data_validation(decimal)
        _list_validation(sheet, _letter(INDICATOR_COLUMNS, "reached"), last, [YES, NO], "请选择“是”或“否”。")


def _write_table(sheet, columns, rows: list[dict], *, editable) -> None:
    """Headers, values, widths and protection: input cells open, identity cells locked and grey."""
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(1, index, column.header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for row_number, values in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            value = _cell_value(values[column.header])
            if column.field and (problem := text_problem(column.field, value)):
                raise ValidationError(
                    _(
                        "The workbook cannot hold “%(header)s” of %(code)s unchanged: %(problem)s "
                        "Shorten the text on the web page first, then download the workbook."
                    )
                    % {"header": column.header, "code": values[columns[0].header], "problem": problem}
                )
            cell = sheet.cell(row_number, index)
            put_text(cell, value)
            cell.alignment = Alignment(vertical="top", wrap_text=column.wrap)
            if not column.field:
                cell.number_format = "@"  # codes such as 6.10 must stay text, not become the number 6.1
            if editable(row_number, column):
                cell.protection = UNLOCKED
            else:
                cell.fill = LOCKED_FILL
    sheet.freeze_panes = "C2"  # header row, and code and name while scrolling right
    _protect(sheet)


def _protect(sheet) -> None:
    """Without a password: it guards against scrambled rows by accident, not against a determined user."""
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # columns and rows may still be resized
    sheet.protection.formatRows = False


def _letter(columns, name: str) -> str:
    return get_column_letter(next(i for i, c in enumerate(columns, start=1) if c.field == name))


def _list_validation(sheet, letter: str, last: int, words: list[str], error: str) -> None:
    validation = DataValidation(
        type="list", formula1='"{}"'.format(",".join(words)), allow_blank=True, showErrorMessage=True
    )
    validation.error, validation.errorTitle = error, "输入有误"
    validation.add(f"{letter}2:{letter}{last}")
    sheet.add_data_validation(validation)


def _write_info(sheet, report: QuarterlyReport) -> None:
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 90
    title = sheet.cell(1, 1, f"{report.plan.title} · 季度报告填报表")
    title.font = Font(bold=True, size=14)
    facts = [
        (REPORT_ID_LABEL, report.pk),
        ("填报单位", report.department.name),
        ("报告季度", _quarter_words(report)),
        (VERSION_LABEL, report.version),
        ("下载时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    for offset, (label, value) in enumerate(facts, start=3):
        sheet.cell(offset, 1, label).font = HEADER_FONT
        sheet.cell(offset, 2, value).alignment = Alignment(horizontal="left")
    steps = [
        "1. 请在“任务进展”“指标数值”两个工作表的白色单元格中填写；灰色单元格（编号、名称等）用于识别任务和指标，已锁定，请勿改动。",
        "2. 状态请从下拉列表中选择：未启动、推进中、已完成、滞后；状态为“已完成”时，完成百分比须为 100。",
        "3. 完成百分比填写 0 到 100 之间的整数，不带百分号。",
        "4. “重大问题”选“是”时，须在“存在问题”中写明情况，区碳达峰办公室会立即收到提醒。",
        "5. 本季度数值只填数字（不含单位），最多 4 位小数；里程碑类指标（无单位）请在“是否实现”列选择“是”或“否”。",
        "6. 数值与上一季度相比变动超过规定幅度（一般为 30%）时，须填写“变动说明”；每个数值请写明数据来源。",
        "7. 上传时系统按网页填报的同一规则校验；只要有一处错误，本次上传不保存任何内容，并逐条列出出错的工作表、行号和列。",
        "8. 上传只保存为草稿，报告仍需在网页上检查并提交。",
        "9. 下载后如有人在网页上修改了本报告，上传会被拒绝（版本号不一致），请重新下载并填写。",
        "10. 请勿修改本页的报告编号和版本号，也不要用本文件上传其他单位或其他季度的报告。",
    ]
    heading = sheet.cell(len(facts) + 4, 1, "填报说明")
    heading.font = HEADER_FONT
    for offset, text in enumerate(steps, start=len(facts) + 5):
        sheet.cell(offset, 1, text)
    _protect(sheet)


def _quarter_words(report: QuarterlyReport) -> str:
    return f"{report.period.year}年第{report.period.quarter}季度"


def _number_for_cell(value: Decimal | None):
    """Decimals as plain numbers, so Excel shows 8 rather than 8.0000 and the cell stays numeric."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _cell_value(value):
    return None if value == "" else value


# ------------------------------------------------------------------------------------------------ upload


class _BadCell(Exception):
    """A cell that cannot become a field value; carries the message for the user."""


def read_workbook(report: QuarterlyReport, file) -> ParsedUpload:
    """Turn an uploaded workbook into save_draft's data, checking each cell and the form's field rules."""
    parsed = ParsedUpload()
    report = _report_with_rows(report)
    workbook = _open(file, parsed)
    if workbook is None:
        return parsed
    try:
        if not _read_info(workbook, report, parsed):
            return parsed
        _read_tasks(workbook, report, parsed)
        _read_indicators(workbook, report, parsed)
    finally:
        workbook.close()
    return parsed


def import_workbook(*, report: QuarterlyReport, file, by) -> ImportOutcome:
    """Save an uploaded workbook as a draft, through the same service as the web form, or save nothing.

    PermissionDenied and VersionConflict reach the caller as they do from the form.
    """
    if not permissions.can_edit(by, report):
        raise PermissionDenied(_("This report cannot be edited now."))
    parsed = read_workbook(report, file)
    if parsed.cell_errors:
        log_refusal(
            report=report, by=by, action=ReportEvent.Action.IMPORT, reason="invalid", errors=len(parsed.cell_errors)
        )
        return ImportOutcome(errors=parsed.cell_errors)
    try:
        event = save_draft(
            report=report,
            by=by,
            version=parsed.version,
            task_data=parsed.task_data,
            indicator_data=parsed.indicator_data,
            action=ReportEvent.Action.IMPORT,
        )
    except ReportErrors as errors:  # only if the rules' inputs changed since parsing; place them all the same
        return ImportOutcome(errors=_place(errors, parsed))
    return ImportOutcome(event=event, changed=event.changes.count() if event else 0)


def _open(file, parsed: ParsedUpload):
    """The workbook, or None with one clear error: whatever is wrong with a non-xlsx file, the user can only
    replace it, so the many exceptions a broken file can raise are not told apart."""
    not_xlsx = _("The file is not an Excel workbook (.xlsx). Download the report's workbook, fill it in and upload it.")
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        parsed.add("", None, None, "", _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // 2**20})
        return None
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            parsed.add("", None, None, "", _("The workbook is too large to read; remove what does not belong to it."))
            return None
        return load_workbook(BytesIO(data), data_only=True)
    except Exception:
        parsed.add("", None, None, "", not_xlsx)
        return None


def _read_info(workbook, report: QuarterlyReport, parsed: ParsedUpload) -> bool:
    """The report id must be this report's; the version is kept for save_draft's conflict check."""
    if INFO_SHEET not in workbook.sheetnames:
        parsed.add(INFO_SHEET, None, None, "", _missing_sheet())
        return False
    sheet = workbook[INFO_SHEET]
    cells = {}
    for label_cell, value_cell in sheet.iter_rows(min_col=1, max_col=2):
        label = _plain_text(label_cell.value)
        if label in (REPORT_ID_LABEL, VERSION_LABEL):
            cells.setdefault(label, value_cell)
    report_id = _whole_or_none(cells.get(REPORT_ID_LABEL))
    if report_id != report.pk:
        where = cells.get(REPORT_ID_LABEL)
        if report_id is None:
            message = _("The report number is missing; download the workbook of this report again.")
        else:
            message = _(
                "This workbook belongs to another report (No. %(id)s). Download the workbook of this report."
            ) % {"id": report_id}
        parsed.add(INFO_SHEET, where.row if where else None, 2 if where else None, REPORT_ID_LABEL, message)
        return False
    parsed.version = _whole_or_none(cells.get(VERSION_LABEL))
    if parsed.version is None:
        where = cells.get(VERSION_LABEL)
        message = _("The version is missing or not a whole number; download the workbook of this report again.")
        parsed.add(INFO_SHEET, where.row if where else None, 2 if where else None, VERSION_LABEL, message)
    return True


def _whole_or_none(cell) -> int | None:
    if cell is None:
        return None
    try:
        return _as_whole(cell.value)
    except _BadCell:
        return None


def _read_tasks(workbook, report: QuarterlyReport, parsed: ParsedUpload) -> None:
    updates = {u.task.code: u for u in _task_updates(report)}
    for row, cells in _rows(workbook, TASK_SHEET, TASK_COLUMNS, parsed):
        update = _identify(row, cells, TASK_COLUMNS, updates, parsed.task_rows, parsed, sheet=TASK_SHEET)
        if update is None:
            continue
        task = update.task
        data, problems = {}, {}
        for column in TASK_COLUMNS:
            if column.field:
                _convert(column.field, cells[column.header][1], TaskUpdate, data, problems)
        for name, message in check_task_update(data, complete=False).items():
            problems.setdefault(name, message)
        parsed.task_rows[task.pk] = row
        parsed.task_data[task.pk] = data
        _report(problems, row, cells, TASK_COLUMNS, parsed, sheet=TASK_SHEET)


def _read_indicators(workbook, report: QuarterlyReport, parsed: ParsedUpload) -> None:
    values = {v.indicator.code: v for v in _indicator_values(report)}
    previous = previous_values(report)
    for row, cells in _rows(workbook, INDICATOR_SHEET, INDICATOR_COLUMNS, parsed):
        value_row = _identify(row, cells, INDICATOR_COLUMNS, values, parsed.indicator_rows, parsed, INDICATOR_SHEET)
        if value_row is None:
            continue
        indicator = value_row.indicator
        unused = NUMERIC_ONLY_FIELDS if indicator.is_milestone else MILESTONE_ONLY_FIELDS
        data, problems = {}, {}
        for column in INDICATOR_COLUMNS:
            if not column.field:
                continue
            raw = cells[column.header][1]
            if column.field in unused:
                if not _is_blank(raw):
                    problems[column.field] = (
                        _("This indicator is a milestone: answer %(yes)s or %(no)s in the column “%(column)s”.")
                        if indicator.is_milestone
                        else _("This indicator has a value, not a milestone: enter it in the column “%(column)s”.")
                    ) % {"yes": YES, "no": NO, "column": "是否实现" if indicator.is_milestone else "本季度数值"}
                continue
            _convert(column.field, raw, IndicatorValue, data, problems)
        rules = check_indicator_value(indicator, data, previous=previous.get(indicator.pk), complete=False)
        for name, message in rules.items():
            problems.setdefault(name, message)
        parsed.indicator_rows[indicator.pk] = row
        parsed.indicator_data[indicator.pk] = data
        _report(problems, row, cells, INDICATOR_COLUMNS, parsed, sheet=INDICATOR_SHEET)


def _rows(workbook, sheet_name: str, columns, parsed: ParsedUpload):
    """(row number, {header: (column number, value)}) for each non-empty row, once the headers are all there."""
    if sheet_name not in workbook.sheetnames:
        parsed.add(sheet_name, None, None, "", _missing_sheet())
        return
    sheet = workbook[sheet_name]
    found: dict[str, int] = {}
    for cell in next(sheet.iter_rows(min_row=1, max_row=1), ()):
        found.setdefault(_plain_text(cell.value), cell.column)
    missing = [(index, c.header) for index, c in enumerate(columns, start=1) if c.header not in found]
    for index, header in missing:
        parsed.add(sheet_name, 1, index, header, _("This column header is missing; download a fresh workbook."))
    if missing:
        return
    for row in sheet.iter_rows(min_row=2):
        values = {cell.column: cell.value for cell in row}
        cells = {c.header: (found[c.header], values.get(found[c.header])) for c in columns}
        if all(_is_blank(value) for _column, value in cells.values()):
            continue
        yield row[0].row, cells


def _identify(row: int, cells: dict, columns, known: dict, seen: dict, parsed: ParsedUpload, sheet: str):
    """The report's row named by the code column, its name checked so moved cells are caught."""
    code_column, name_column = columns[0], columns[1]
    code_at, raw_code = cells[code_column.header]
    code = _plain_text(raw_code)
    if not code:
        parsed.add(sheet, row, code_at, code_column.header, _("The code is missing; download a fresh workbook."))
        return None
    target = known.get(code)
    if target is None:
        message = _("No task with the code “%(code)s” belongs to this report.")
        if sheet == INDICATOR_SHEET:
            message = _("No indicator with the code “%(code)s” belongs to this report.")
        parsed.add(sheet, row, code_at, code_column.header, message % {"code": code})
        return None
    item = target.task if sheet == TASK_SHEET else target.indicator
    if item.pk in seen:
        message = _("“%(code)s” appears twice; it is already on row %(row)s.") % {"code": code, "row": seen[item.pk]}
        parsed.add(sheet, row, code_at, code_column.header, message)
        return None
    name_at, raw_name = cells[name_column.header]
    expected = (item.title if sheet == TASK_SHEET else item.name).strip()
    if _plain_text(raw_name) != expected:
        message = _(
            "The name does not match “%(code)s” (%(name)s); rows may have been moved. Download a fresh workbook."
        ) % {"code": code, "name": expected}
        parsed.add(sheet, row, name_at, name_column.header, message)
        seen[item.pk] = row
        return None
    return target


def _report(problems: dict[str, str], row: int, cells: dict, columns, parsed: ParsedUpload, *, sheet: str) -> None:
    """Each {field: message} at its own column, in column order; a field without a column goes to the code."""
    by_field = {c.field: c for c in columns if c.field}
    ordered = sorted(problems.items(), key=lambda item: cells[by_field.get(item[0], columns[0]).header][0])
    for name, message in ordered:
        column = by_field.get(name, columns[0])
        parsed.add(sheet, row, cells[column.header][0], column.header, message)


def _place(errors: ReportErrors, parsed: ParsedUpload) -> list[CellError]:
    located = ParsedUpload()
    for rows, columns, sheet, found in (
        (parsed.task_rows, TASK_COLUMNS, TASK_SHEET, errors.tasks),
        (parsed.indicator_rows, INDICATOR_COLUMNS, INDICATOR_SHEET, errors.indicators),
    ):
        letters = {c.field: (index, c.header) for index, c in enumerate(columns, start=1) if c.field}
        for item_id, problems in found.items():
            for name, message in problems.items():
                index, header = letters.get(name, (1, columns[0].header))
                located.add(sheet, rows.get(item_id), index, header, message)
    for message in errors.general:
        located.add("", None, None, "", message)
    return located.cell_errors


def _missing_sheet() -> str:
    return _("This sheet is missing; download a fresh workbook.")


# --------------------------------------------------------------------------------------------- cell values


def _convert(name: str, raw, model, data: dict, problems: dict) -> None:
    try:
        value = CONVERTERS[name](raw)
        if isinstance(value, str):
            model._meta.get_field(name).run_validators(value)  # data_source's 200 characters, as in the form
    except _BadCell as exc:
        problems[name] = str(exc)
    except ValidationError as exc:
        problems[name] = " ".join(exc.messages)
    else:
        data[name] = value


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _plain_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(value, ".15g")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _as_text(value) -> str:
    return _plain_text(value)


def _normalized(value: str) -> str:
    """Full-width digits and signs (１２．５) as typed by Chinese input methods become ASCII."""
    return unicodedata.normalize("NFKC", value).replace("−", "-").replace(" ", "").strip()


def _as_status(value) -> str:
    if _is_blank(value):
        return ""
    text = _normalized(str(value))
    if text in STATUS_FROM_WORD:
        return STATUS_FROM_WORD[text]
    if text in TaskStatus.values:
        return text
    raise _BadCell(_("Choose one of: %(words)s.") % {"words": "、".join(STATUS_WORDS.values())})


def _as_whole(value) -> int | None:
    if _is_blank(value):
        return None
    if isinstance(value, bool):
        raise _BadCell(_("Enter a whole number from 0 to 100."))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise _BadCell(_("Enter a whole number from 0 to 100."))
    text = _normalized(str(value)).removesuffix("%")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _BadCell(_("Enter a whole number from 0 to 100.")) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise _BadCell(_("Enter a whole number from 0 to 100."))
    return int(number)


THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
VALUE_FIELD = IndicatorValue._meta.get_field("value")
VALUE_DIGITS = DecimalValidator(VALUE_FIELD.max_digits, VALUE_FIELD.decimal_places)


def _as_number(value) -> Decimal | None:
    """Numbers and numeric text; floats read at Excel's own 15 digits, so 0.1+0.2 is 0.3, not 0.30000000000000004."""
    if _is_blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _BadCell(_("Enter a number, such as 12.5."))
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(format(value, ".15g"))
    else:
        text = _normalized(value)
        if THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _BadCell(_("Enter a number, such as 12.5.")) from None
    if not number.is_finite():
        raise _BadCell(_("Enter a number, such as 12.5."))
    VALUE_DIGITS(number)
    return number


def _as_yes_no(value, *, blank: bool | None) -> bool | None:
    if _is_blank(value):
        return blank
    if isinstance(value, bool):
        return value
    text = _normalized(str(value))
    if text in (YES, NO):
        return text == YES
    raise _BadCell(_("Enter %(yes)s or %(no)s.") % {"yes": YES, "no": NO})


CONVERTERS = {
    "status": _as_status,
    "percent_complete": _as_whole,
    "work_done": _as_text,
    "problems": _as_text,
    "next_steps": _as_text,
    "major_problem": lambda value: _as_yes_no(value, blank=False),  # an empty box is "no", as in the form
    "value": _as_number,
    "reached": lambda value: _as_yes_no(value, blank=None),  # an empty answer is "not reported"
    "data_source": _as_text,
    "note": _as_text,
    "change_explanation": _as_text,
}
