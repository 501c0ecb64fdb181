"""The statistics bureau's table of official figures (Excel or CSV), read cell by cell like the report workbook.

One row per figure: 指标 (code or name), 时期 (2025 for the year, or 2025Q3 / 2025年第3季度), 数值 (是/否 for a
milestone), 类型 (初步 or 核实), 发布单位, 文件名称或文号, 发布日期. Every problem is reported by sheet, row and
column as Excel shows them, and a table with any problem records nothing. The headers and the words in the cells
are the file's format, fixed Chinese strings.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from indicators.models import Indicator
from progress.authority import FigureKind
from targets.models import Plan

from .cells import put_text, text_only
from .figures import parse_figure
from .models import ReportingPeriod
from .official import OfficialEntry, check_official
from .spreadsheet import MAX_UNPACKED_BYTES, MAX_UPLOAD_BYTES, XLSX_CONTENT_TYPE, CellError

__all__ = ["HEADERS", "MAX_UPLOAD_BYTES", "XLSX_CONTENT_TYPE", "ParsedTable", "read_table", "template_workbook"]

HEADERS = ("指标", "时期", "数值", "类型", "发布单位", "文件名称或文号", "发布日期")
FIELDS = ("indicator", "period", "value", "kind", "source_issuer", "source_title", "source_date")
KIND_WORDS = {"初步": FigureKind.PROVISIONAL, "核实": FigureKind.FINAL}
KIND_ALIASES = {"初步核算": "初步", "快报": "初步", "最终核实": "核实", "年报": "核实"}
PERIOD = re.compile(r"^(\d{4})(?:年)?(?:(?:Q|第)([1-4])(?:季度)?)?(?:年度)?$", re.IGNORECASE)
DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
MAX_ROWS = 2000


@dataclass
class ParsedTable:
    entries: list[OfficialEntry] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # the sheet row of each entry
    errors: list[CellError] = field(default_factory=list)
    sheet: str = ""

    def add(self, row: int | None, column: int | None, message: str) -> None:
        letter = get_column_letter(column + 1) if column is not None else ""
        header = HEADERS[column] if column is not None else ""
        self.errors.append(CellError(self.sheet, row, letter, header, str(message)))


class _BadCell(Exception):
    pass


def read_table(plan: Plan, name: str, data: bytes) -> ParsedTable:
    """The entries of an uploaded table, or its problems (then no entries)."""
    parsed = ParsedTable(sheet=name)
    if len(data) > MAX_UPLOAD_BYTES:
        parsed.add(None, None, _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // 2**20})
        return parsed
    lines = _csv_lines(data) if name.lower().endswith(".csv") else _sheet_lines(data, parsed)
    if lines is None:
        if not parsed.errors:
            parsed.add(None, None, _("The file is neither an Excel workbook (.xlsx) nor a CSV file."))
        return parsed
    header, *body = lines or [()]
    if [_text(c) for c in header[: len(HEADERS)]] != list(HEADERS):
        parsed.add(1, None, _("The first row must be the headers: %(headers)s.") % {"headers": "、".join(HEADERS)})
        return parsed
    if len(body) > MAX_ROWS:
        parsed.add(None, None, _("At most %(n)s rows in one table.") % {"n": MAX_ROWS})
        return parsed
    indicators = _indicators(plan)
    periods = {(p.year, p.quarter): p for p in ReportingPeriod.objects.all()}
    seen: dict[tuple, int] = {}
    for number, cells in enumerate(body, start=2):
        cells = (list(cells) + [None] * len(HEADERS))[: len(HEADERS)]
        if all(_blank(c) for c in cells):
            continue
        _read_row(parsed, number, cells, indicators, periods, seen)
    if parsed.errors:
        parsed.entries, parsed.rows = [], []
    elif not parsed.entries:
        parsed.add(None, None, _("The table holds no figures."))
    return parsed


def _read_row(parsed: ParsedTable, number: int, cells: list, indicators: dict, periods: dict, seen: dict) -> None:
    values, bad = {}, False
    readers = (_indicator, _period, None, _kind, _required_text, _required_text, _date)
    context = {"indicators": indicators, "periods": periods}
    for column, (name, reader) in enumerate(zip(FIELDS, readers, strict=True)):
        if reader is None:
            continue
        try:
            values[name] = reader(cells[column], context)
        except _BadCell as exc:
            parsed.add(number, column, str(exc))
            bad = True
    indicator = values.get("indicator")
    if indicator is not None:
        try:
            values.update(_figure(cells[2], indicator))
        except _BadCell as exc:
            parsed.add(number, 2, str(exc))
            bad = True
    if bad:
        return
    entry = OfficialEntry(**values)
    key = (indicator.pk, entry.period.pk, entry.kind)
    if key in seen:
        parsed.add(number, 0, _("The same figure is already in row %(row)s.") % {"row": seen[key]})
        return
    seen[key] = number
    columns = {"value": 2, "reached": 2, "kind": 3, "source_issuer": 4, "source_title": 5}
    for field_name, message in check_official(entry).items():
        parsed.add(number, columns.get(field_name, 2), message)
    parsed.entries.append(entry)
    parsed.rows.append(number)


def _indicators(plan: Plan) -> dict[str, Indicator]:
    found = {}
    for indicator in Indicator.objects.filter(plan=plan).prefetch_related("targets"):
        found[_normalized(indicator.code)] = indicator
        found.setdefault(_normalized(indicator.name), indicator)
    return found


def _indicator(cell, context) -> Indicator:
    text = _normalized(_text(cell))
    if not text:
        raise _BadCell(_("Name the indicator by its code or its name."))
    indicator = context["indicators"].get(text)
    if indicator is None:
        raise _BadCell(
            _("“%(text)s” is not an indicator of the plan; use its code or its name.") % {"text": _text(cell)}
        )
    return indicator


def _period(cell, context) -> ReportingPeriod:
    if isinstance(cell, int | float) and not isinstance(cell, bool) and float(cell).is_integer():
        text = str(int(cell))
    else:
        text = _normalized(_text(cell)).upper().replace("Q", "Q")
    match = PERIOD.match(text)
    if not match:
        raise _BadCell(_("Write the period as 2025 (the year) or 2025Q3 (a quarter)."))
    year, quarter = int(match[1]), int(match[2] or 4)
    period = context["periods"].get((year, quarter))
    if period is None:
        raise _BadCell(_("The system has no quarter %(year)s Q%(quarter)s.") % {"year": year, "quarter": quarter})
    return period


def _figure(cell, indicator: Indicator) -> dict:
    if indicator.is_milestone:
        text = _normalized(_text(cell))
        if text not in ("是", "否"):
            raise _BadCell(_("This indicator is a milestone: write 是 or 否."))
        return {"value": None, "reached": text == "是"}
    if isinstance(cell, bool):
        raise _BadCell(_("Enter a number, such as 12.5."))
    if isinstance(cell, int | float):
        return {"value": Decimal(format(cell, ".15g"))}
    try:
        value = parse_figure(_text(cell))
    except ValidationError as exc:
        raise _BadCell(" ".join(exc.messages)) from None
    if value is None:
        raise _BadCell(_("Enter the figure."))
    return {"value": value}


def _kind(cell, context) -> FigureKind:
    text = _normalized(_text(cell))
    text = KIND_ALIASES.get(text, text)
    if text not in KIND_WORDS:
        raise _BadCell(_("Write 初步 (provisional) or 核实 (final)."))
    return KIND_WORDS[text]


def _required_text(cell, context) -> str:
    text = _text(cell)
    if not text:
        raise _BadCell(_("Required: who published the figure, and in which document."))
    return text


def _date(cell, context) -> dt.date | None:
    if _blank(cell):
        return None
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    match = DATE_TEXT.match(_normalized(_text(cell)))
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass
    raise _BadCell(_("Write the date as 2026-03-20."))


def _csv_lines(data: bytes) -> list[list] | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return list(csv.reader(io.StringIO(text)))
    return None


def _sheet_lines(data: bytes, parsed: ParsedTable) -> list[tuple] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                parsed.add(None, None, _("The workbook is too large to read; remove what does not belong to it."))
                return None
        workbook = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception:
        return None
    try:
        sheet = workbook.worksheets[0]
        parsed.sheet = sheet.title
        return [tuple(row) for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
    finally:
        workbook.close()


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _normalized(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").strip()


def template_workbook(plan: Plan) -> bytes:
    """An empty table with the headers and one example row per indicator that has official figures."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "统计数据"
    for column, header in enumerate(HEADERS, start=1):
        put_text(sheet.cell(row=1, column=column), header)
        sheet.column_dimensions[get_column_letter(column)].width = 16 if column != 6 else 36
    indicators = Indicator.objects.filter(plan=plan, official_source__isnull=False).select_related("official_source")
    for row, indicator in enumerate(indicators, start=2):
        put_text(sheet.cell(row=row, column=1), indicator.code)
        put_text(sheet.cell(row=row, column=5), indicator.official_source.name)
    text_only(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def serialize(entry: OfficialEntry) -> dict:
    """An entry as the session keeps it between the preview and the confirmation."""
    return {
        "indicator": entry.indicator.pk,
        "period": entry.period.pk,
        "kind": str(entry.kind),
        "value": None if entry.value is None else str(entry.value),
        "reached": entry.reached,
        "source_issuer": entry.source_issuer,
        "source_title": entry.source_title,
        "source_date": entry.source_date.isoformat() if entry.source_date else None,
    }


def deserialize(data: dict) -> OfficialEntry:
    return OfficialEntry(
        indicator=Indicator.objects.prefetch_related("targets").get(pk=data["indicator"]),
        period=ReportingPeriod.objects.get(pk=data["period"]),
        kind=FigureKind(data["kind"]),
        value=None if data["value"] is None else Decimal(data["value"]),
        reached=data["reached"],
        source_issuer=data["source_issuer"],
        source_title=data["source_title"],
        source_date=dt.date.fromisoformat(data["source_date"]) if data["source_date"] else None,
    )
