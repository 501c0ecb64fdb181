"""Text typed by users, written into a spreadsheet or CSV: the one escaping rule for every file the system writes.

A cell whose text starts like a formula (=, +, -, @, tab, carriage return) would run when the file is opened
(formula injection: =HYPERLINK(...) leaking other cells, =cmd|...). Two ways out, chosen by where the file goes:

- `defused` prefixes an apostrophe: for files people only read (CSV, the annual exports), where the mark is
  harmless and survives every program;
- `put_text` stores the text as a typed string with Excel's own "quote prefix" style (what Excel does when a
  person types '=...): for the report workbook, which comes back on upload and must round-trip unchanged.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Excel and LibreOffice keep at most this many characters in a cell and cut the rest when they save.
EXCEL_CELL_CHARS = 32_767


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def defused(value):
    """The value to write into a CSV or read-only sheet: formula-like text gets a leading apostrophe."""
    return "'" + value if looks_like_formula(value) else value


def put_text(cell, value) -> None:
    """Write `value` into an openpyxl cell; text is always a string cell, never a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        cell.quotePrefix = looks_like_formula(value)


def text_only(workbook) -> None:
    """Last guard before a workbook leaves the system: no cell of it is a formula."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    put_text(cell, str(cell.value))
