"""The figures a reader sees, as lines of text: what tests/results/test_rendered_figures.py keeps in its golden file.

Markup, links and styling may change freely; words and numbers may not. So an HTML page becomes the visible text of
its <main> (one line per block, table cells joined by " | "), plus the data of its charts (the json_script figures:
each trace's name and points, not its styling); an API answer becomes one line per field of each row (the row named,
the value as JSON) with database ids replaced by the rows' own names; a PDF becomes pdftotext's layout lines.

What changes between runs of the same code is removed here and nowhere else: times of computation, generation or
download (they are the run's clock, not a figure), whitespace (pdftotext pads columns by page width), and the order
of the items of a count list (<ul class="counts">): the overview lists the task counts in the order the database
returns the rollup's JSON keys, as written on SQLite and shortest key first on PostgreSQL's jsonb. Each item keeps its
label and its count; only the items' order is not compared.
"""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser

BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "nav", "ol",
    "option", "p", "pre", "section", "summary", "table", "tbody", "thead", "tfoot", "tr", "ul",
}  # fmt: skip
CELLS = {"td", "th"}
SKIPPED = {"style", "noscript", "template", "button"}
# Clock readings: 2026-12-03 09:00[:00][+08:00], 2026年12月3日 09:00, 12月3日 09:00, 09:00:00 after a date.
CLOCK = re.compile(
    r"\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?"
    r"|(\d{4}年)?\d{1,2}月\d{1,2}日\s*\d{1,2}:\d{2}(:\d{2})?"
)
VOLATILE_KEYS = {"computed_at", "generated_at", "requested_at", "finished_at", "started_at", "duration", "url"}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def without_clock(line: str) -> str:
    return CLOCK.sub("<time>", line)


class _Visible(HTMLParser):
    """Text lines of a page (skipping scripts, styles and buttons), and the data of its json_script charts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.skipping = 0
        self.script: list[str] | None = None
        self.figures: list[str] = []
        self.lists: list[int | None] = []  # per open <ul>: where its lines start when they are to be sorted

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ul":
            self.close_line()
            self.lists.append(len(self.lines) if "counts" in (attrs.get("class") or "").split() else None)
        elif tag == "script" and attrs.get("type") == "application/json":
            self.script = []
        elif tag in SKIPPED or tag == "script":
            self.skipping += 1
        elif tag in BLOCKS:
            self.close_line()
        elif tag in CELLS:
            self.line.append(" | ")
        elif tag == "img" and attrs.get("alt"):
            self.line.append(f" [{attrs['alt']}] ")

    def handle_endtag(self, tag):
        if tag == "ul" and self.lists:
            self.close_line()
            start = self.lists.pop()
            if start is not None:
                self.lines[start:] = sorted(self.lines[start:])
        elif tag == "script" and self.script is not None:
            self.figures.extend(chart_lines("".join(self.script)))
            self.script = None
        elif tag in SKIPPED or tag == "script":
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCKS:
            self.close_line()

    def handle_data(self, data):
        if self.script is not None:
            self.script.append(data)
        elif not self.skipping:
            self.line.append(data)

    def close_line(self):
        text = squeeze("".join(self.line)).strip(" |")
        if text:
            self.lines.append(text)
        self.line = []


def visible_lines(html: str) -> list[str]:
    """The visible text of <main> (of the whole document when it has none, like the report's preview) and its
    charts' data, clock readings removed."""
    if "<main" in html:
        html = html[html.index("<main") : html.rindex("</main>")]
    parser = _Visible()
    parser.feed(html)
    parser.close()
    parser.close_line()
    return [without_clock(line) for line in parser.lines] + parser.figures


def chart_lines(raw: str) -> list[str]:
    """A Plotly figure's data: per trace its name and points (x, y, z, text), one line per trace."""
    try:
        figure = json.loads(raw)
    except ValueError:
        return [f"chart: {squeeze(raw)}"]
    if isinstance(figure, str):  # json_script of a figure already serialised
        figure = json.loads(figure)
    lines = []
    for trace in figure.get("data", []) if isinstance(figure, dict) else []:
        kept = {k: trace[k] for k in ("name", "x", "y", "z", "text", "customdata") if k in trace}
        lines.append("chart: " + json.dumps(kept, ensure_ascii=False, sort_keys=True))
    return lines


IDENTITY = ("target", "task", "scope", "area", "department", "as_of")


def json_lines(rows: list[dict], names: dict[str, dict[int, str]]) -> list[str]:
    """One line per field, `<row> · <field>: <JSON value>`, so that a diff names the row and the field that changed;
    ids of the plan's objects by their names (`names[field][id]`), volatile keys dropped."""
    lines = []
    for row in rows:
        named = _named(row, names)
        who = " ".join(str(named[k]) for k in IDENTITY if named.get(k) is not None)
        lines.extend(
            f"{who} · {key}: {json.dumps(named[key], ensure_ascii=False, sort_keys=True)}" for key in sorted(named)
        )
    return lines


def _named(row: dict, names: dict[str, dict[int, str]]) -> dict:
    out = {}
    for key, value in row.items():
        if key in VOLATILE_KEYS:
            continue
        if key in names and isinstance(value, int) and not isinstance(value, bool):
            value = names[key].get(value, f"unknown {key} {value}")
        out[key] = value
    return out


def pdf_lines(path: str) -> list[str]:
    """pdftotext -layout, each line whitespace-squeezed (the padding depends on column widths, not on figures)."""
    text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True).stdout
    return [without_clock(squeeze(line)) for line in text.splitlines() if line.strip()]


def table_lines(rows) -> list[str]:
    """Spreadsheet or CSV rows: cells joined by " | ", times removed (an approval's time is the run's clock)."""
    return [without_clock(" | ".join("" if c is None else str(c) for c in row)) for row in rows]
