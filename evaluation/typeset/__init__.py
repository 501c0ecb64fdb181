"""The documents' PDF through Typst: their own HTML, translated element by element into Typst and compiled.

Why not WeasyPrint, which read the same HTML and CSS: the annual report (33–37 pages) took it 4.4–6.2 s of CPU (the
cascade over ~4,000 elements, Pango breaking every cell's lines, drawing them), and no layout of the same content got
it under 5 s (benchmarks/README.md). Typst sets the same pages in about a sixth of that. The HTML template stays the
one source of the documents' words: the preview shows it as it is, and this package maps its small vocabulary (the
elements and classes of evaluation-document.css) onto Typst's (writer.py, preamble.typ), never dropping a text it
has no form for (`Translation.unknown` names those, and the tests keep it empty).

Text never becomes Typst markup: every string is passed as a string literal, so nothing a unit typed (`#`, `*`, `[`,
`<`, `$` …) is read as Typst code. Each document is compiled in a child process: Typst's in-process caches grow by
some 65 MB a compile and are never given back, which a long-lived web or worker process cannot afford.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .html import Element, parse
from .writer import ANCHOR, SKIPPED, Writer, literal

log = logging.getLogger(__name__)
PREAMBLE = Path(__file__).with_name("preamble.typ")
PROJECT = Path(__file__).resolve().parents[2]
TIMEOUT = 120  # seconds; the annual report takes about one, and a file silent for 3 minutes is failed (files.py)
# Typst's warnings that mean content was left out: the document is not to be sent like that.
LOST = re.compile(r"was ignored|may not occur")


@dataclass
class Translation:
    """The Typst source of one document, and what in its HTML had no Typst form (printed unstyled)."""

    source: str
    unknown: set[str]


@dataclass
class Typeset:
    """A compiled document: the PDF and its page count (what the file row records)."""

    pdf: bytes
    pages: int


def translate(html: str, *, stamp: str, page_pattern: str) -> Translation:
    """The Typst source of a document's HTML, with its running header, footer and metadata."""
    root = parse(html)
    ids = [h.attrs.get("id", "") for h in _headings(root)]
    writer = Writer({i for i in ids if ANCHOR.fullmatch(i)})
    body = writer.content(root.children)
    metadata = {m.attrs.get("name"): m.attrs.get("content", "") for m in root.descendants("meta")}
    title = next(root.descendants("title"), None)
    fields = {
        "title": literal(title.text().strip()) if title else "none",
        "author": literal(metadata["author"]) if metadata.get("author") else "()",
        "date": _date(metadata.get("dcterms.created", "")),
        "running": _running_title(root),
        "counter": counter_content(page_pattern),
        "stamp": literal(stamp),
    }
    preamble = re.sub(r"«(\w+)»", lambda m: fields[m.group(1)], PREAMBLE.read_text())
    return Translation(preamble + "\n#" + body + "\n", writer.unknown)


def _headings(element: Element):
    """The headings that will be printed (not those in the preview's bar or the head): what links may point at."""
    for child in element.elements():
        if child.tag in ("h1", "h2", "h3"):
            yield child
        elif child.tag not in SKIPPED:
            yield from _headings(child)


def _running_title(root: Element) -> str:
    """The header's left part: the cover's title and subtitle, as the stylesheet's string-set took them."""
    cover = next((s for s in root.descendants("section") if "cover" in s.classes), None)
    words = [d.text().strip() for d in (cover.elements() if cover else []) if d.classes & {"title", "subtitle"}]
    return literal(" · ".join(w for w in words if w))


def counter_content(pattern: str) -> str:
    """The footer's words with the page numbers: "第 {page} 页 / 共 {pages} 页" as Typst content."""
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", pattern):
        if piece == "{page}":
            parts.append("#counter(page).display()")
        elif piece == "{pages}":
            parts.append("#str(counter(page).final().first())")
        elif piece:
            parts.append("#" + literal(piece))
    return "[" + "".join(parts) + "]"


def _date(text: str) -> str:
    """The document's date for the PDF's metadata (none when absent: a final file must not change by the clock)."""
    match = re.search(r"(\d{4})-(\d{2})-(\d{2})", text) or re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text)
    try:
        day = dt.date(*(int(g) for g in match.groups())) if match else None
    except ValueError:  # 2025-13-45
        day = None
    if day is None:
        return "none"
    return f"datetime(year: {day.year}, month: {day.month}, day: {day.day})"


def compile_pdf(source: str) -> Typeset:
    """The PDF of a Typst source, compiled in a child process (see the module's docstring for why)."""
    import pypdf

    try:
        done = subprocess.run(
            [sys.executable, "-c", "from evaluation.typeset.child import main; main()"],
            input=source.encode(),
            capture_output=True,
            cwd=PROJECT,
            env={**os.environ, "PYTHONPATH": str(PROJECT)},  # also where PYTHONSAFEPATH keeps the cwd off sys.path
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"Typst did not finish within {TIMEOUT} s") from None
    said = [line for line in done.stderr.decode(errors="replace").splitlines() if line.strip()] or [""]
    if done.returncode != 0:
        how = f"signal {-done.returncode}" if done.returncode < 0 else f"exit {done.returncode}"
        raise RuntimeError(f"Typst failed ({how}): " + " | ".join(said[-5:])[-1000:])
    warnings = json.loads(said[-1] or "[]")
    lost = [w for w in warnings if LOST.search(w)]
    if lost:
        raise RuntimeError("Typst left content out: " + "; ".join(lost))
    for warning in warnings:
        log.warning("typst: %s", warning)
    return Typeset(done.stdout, len(pypdf.PdfReader(io.BytesIO(done.stdout)).pages))
