"""Each element and class of the document's HTML as a Typst expression (the helpers it calls are in preamble.typ).

Text only ever enters the source through `literal()`. Whatever the writer meets and has no form for is still printed
(its text, unstyled) and named in `unknown`, which the tests keep empty for both documents.
"""

from __future__ import annotations

import base64
import functools
import math
import re
from pathlib import Path

from .html import BLOCKS, Element

STYLESHEET = "css/evaluation-document.css"  # the preview's stylesheet, whose looks this module repeats
SKIPPED = {
    "head",
    "nav",
    "script",
    "style",
    "title",
    "meta",
    "link",
}  # not on the printed page (nav: the preview's bar)
ANCHOR = re.compile(r"[A-Za-z0-9_\-.:]+")  # what Typst's <label> syntax takes

# The blocks the document's classes make of a div or a p, as evaluation-document.css draws them (BODY: the content).
BLOCK_CLASSES = {
    "district": "block(below: 0pt, text(size: 14pt, tracking: 2pt, BODY))",
    "title": 'block(above: 14mm, below: 6mm, text(font: sans, size: 22pt, weight: "bold", BODY))',
    "subtitle": "block(below: 30mm, text(size: 18pt, BODY))",
    "meta": "block(text(size: 11pt, {set par(leading: 1em); set block(spacing: 1em); BODY}))",
    "stamp": 'block(above: 12mm, box(stroke: 2pt + rgb("#a00"), inset: (x: 5mm, y: 1mm), '
    'text(size: 14pt, weight: "bold", fill: rgb("#a00"), BODY)))',
    "demo": 'block(above: 8mm, width: 70%, stroke: 1.5pt + rgb("#a00"), inset: (x: 4mm, y: 2mm), '
    'align(left, text(size: 10pt, fill: rgb("#a00"), BODY)))',
    "task": 'block(width: 100%, breakable: BREAKABLE, stroke: (left: 2pt + rgb("#ccd")), inset: (left: 3mm), '
    "below: 3mm, BODY)",
    "figure": "block(width: 100%, breakable: false, above: 3mm, below: 3mm, align(center, BODY))",
    "office-text": "{set par(first-line-indent: (amount: 2em, all: true)); BODY}",
    "head": "block(width: 100%, sticky: true, BODY)",  # a task's title stays with what follows it
    "signature": "block(above: 8mm, width: 100%, align(right, BODY))",
}
# Classes with a meaning elsewhere: text styles (styled()), whole sections, lists, tables and cells.
OTHER_CLASSES = {"note", "muted", "st", "head", "cover", "contents", "toc", "sub", "tight", "counts", "targets",
                 "restatements", "num"}  # fmt: skip

# CSS's `break-inside: avoid` is a wish: a row or task taller than a page still breaks. Typst's unbreakable blocks
# never do, so what could be taller than a page must stay breakable: rows and tasks whose text, estimated in lines
# (a character per 1em of width, each block a line more), exceeds half a page's.
TEXT_WIDTH_MM = 174  # A4 less the 18 mm margins
TABLE_LINE = (8.5 * 1.4, 8.5 * 25.4 / 72)  # a table line's height and a character's width, in pt and mm
TASK_LINE = (10 * 1.55, 10 * 25.4 / 72)
KEEP_WHOLE_PT = 300  # under half of the 711 pt a page holds


def literal(text: str) -> str:
    """A Typst string literal: the only way text enters the source."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


@functools.cache
def status_colours() -> dict[str, str]:
    """The statuses' colours (`.st-achieved` → #00684a), read from the stylesheet the preview uses: one source."""
    from django.contrib.staticfiles import finders

    css = Path(finders.find(STYLESHEET)).read_text()
    colours = {}
    for selectors, colour in re.findall(r"((?:\.st-\w+\s*,?\s*)+)\{\s*color:\s*(#[0-9a-fA-F]+);?\s*\}", css):
        colours.update(dict.fromkeys(re.findall(r"st-\w+", selectors), colour))
    return colours


def estimated_height(element: Element, width_mm: float, line: tuple[float, float]) -> float:
    """Roughly how tall the element's text sets at that width, in pt: more rather than less. A CJK character takes
    1em, any other 0.55em; each block inside (a div, p, li, table row …) and each <br> starts a line of its own."""
    per_line = max(1.0, width_mm / line[1])
    text = element.text()
    ems = sum(1 if ord(ch) > 0x2E7F else 0.55 for ch in text)
    lines = sum(1 for tag in BLOCKS | {"br"} for _ in element.descendants(tag)) + 1
    return (math.ceil(ems / per_line) + lines) * line[0]


class Writer:
    """Walks the tree once; `anchors` are the ids a heading carries, so links and the contents point only at them."""

    def __init__(self, anchors: set[str]):
        self.anchors = anchors
        self.labelled: set[str] = set()
        self.unknown: set[str] = set()
        self.tables = 0  # how deep in tables the writer is: a status may wrap in a cell, not in running text

    def content(self, children: list[Element | str]) -> str:
        parts = []
        for child in children:
            if isinstance(child, str):
                if child:
                    parts.append("#" + literal(child))
            elif child.tag not in SKIPPED:
                parts.append("#" + self.element(child))
        return "[" + "".join(parts) + "]"

    def element(self, e: Element) -> str:
        self.unknown |= {f".{c}" for c in e.classes - BLOCK_CLASSES.keys() - OTHER_CLASSES if not c.startswith("st-")}
        method = getattr(self, "tag_" + e.tag, None)
        if method is None:
            self.unknown.add(e.tag)
            return self.content(e.children)
        return method(e)

    def styled(self, e: Element, body: str) -> str:
        """The text styles a class gives an element of any kind: status colour, note, muted, bold head."""
        classes = e.classes
        colour = next((status_colours()[c] for c in classes if c in status_colours()), None)
        if "st" in classes:
            body = f'st("{colour or "#111"}", {body})' if self.tables else f'box(st("{colour or "#111"}", {body}))'
        elif colour:
            body = f'text(fill: rgb("{colour}"), {body})'
        if "note" in classes:
            body = f"note({body})"
        if "muted" in classes:
            body = f"muted({body})"
        if "head" in classes:
            body = f"strong({body})"
        return body

    # --- blocks ----------------------------------------------------------------------------------------------
    def tag_root(self, e: Element) -> str:
        return self.content(e.children)

    tag_html = tag_body = tag_root

    def tag_section(self, e: Element) -> str:
        if "cover" in e.classes:
            return f"block(width: 100%, align(center, {{v(45mm); {self.content(e.children)}}}))"
        return self.content(e.children)

    def tag_div(self, e: Element) -> str:
        body = self.content(e.children)
        return self.classed_block(e, body) or f"block(width: 100%, {self.styled(e, body)})"

    def tag_p(self, e: Element) -> str:
        body = self.content(e.children)
        return self.classed_block(e, body) or f"block(width: 100%, below: 2mm, par({self.styled(e, body)}))"

    def classed_block(self, e: Element, body: str) -> str | None:
        """The block a class of the stylesheet makes of a div or a p (the first of BLOCK_CLASSES it has)."""
        cls = next((c for c in BLOCK_CLASSES if c in e.classes), None)
        if cls is None:
            return None
        breakable = estimated_height(e, TEXT_WIDTH_MM - 3, TASK_LINE) > KEEP_WHOLE_PT
        block = BLOCK_CLASSES[cls].replace("BREAKABLE", "true" if breakable else "false")
        return block.replace("BODY", self.styled(e, body))

    def heading(self, e: Element, level: int) -> str:
        heading = f"heading(level: {level}, {self.content(e.children)})"
        anchor = e.attrs.get("id", "")
        if anchor in self.anchors and anchor not in self.labelled:
            self.labelled.add(anchor)
            return f"[#{heading}<{anchor}>]"
        return heading

    def tag_h1(self, e: Element) -> str:
        return self.heading(e, 1)

    def tag_h2(self, e: Element) -> str:
        return self.heading(e, 2)

    def tag_h3(self, e: Element) -> str:
        return self.heading(e, 3)

    def tag_ul(self, e: Element) -> str:
        if "toc" in e.classes:
            return "{" + "; ".join(self.toc_entry(item) for item in e.elements("li")) + "}"
        spacing = "above: 1mm, below: 2mm, inset: (left: 6mm)" if "tight" in e.classes else "above: 2mm, below: 2mm"
        parts, items = [], []  # runs of items become lists; anything else between them stays where it was
        for child in e.children + [None]:
            if isinstance(child, Element) and child.tag == "li":
                items.append(self.content(child.children))
                continue
            if items:
                parts.append(f"block(width: 100%, {spacing}, list({', '.join(items)},))")
                items = []
            if child is not None and (not isinstance(child, str) or child.strip()):
                parts.append(self.content([child]))
        return "{" + "; ".join(parts) + "}"

    def toc_entry(self, item: Element) -> str:
        """A line of the contents: the link, leader dots and the page its heading is on."""
        indent = "6mm" if "sub" in item.classes else "0mm"
        links = item.elements("a")
        target = links[0].attrs.get("href", "")[1:] if links else ""
        rest = [
            c
            for c in item.children
            if not (isinstance(c, Element) and c.tag == "a") and (not isinstance(c, str) or c.strip())
        ]
        if len(links) != 1 or target not in self.anchors or rest:
            self.unknown.add("toc entry without one link to a heading")
            return f"block(inset: (left: {indent}), {self.content(item.children)})"
        return f"toc-entry(label({literal(target)}), {indent}, {self.content(links[0].children)})"

    def tag_li(self, e: Element) -> str:  # outside a list: as a block
        return f"block(width: 100%, {self.content(e.children)})"

    # --- inline ----------------------------------------------------------------------------------------------
    def tag_span(self, e: Element) -> str:
        return self.styled(e, self.content(e.children))

    def tag_b(self, e: Element) -> str:
        return f"strong({self.styled(e, self.content(e.children))})"

    tag_strong = tag_b

    def tag_br(self, e: Element) -> str:
        return "linebreak()"

    def tag_a(self, e: Element) -> str:
        body = self.content(e.children)
        href = e.attrs.get("href", "")
        if href.startswith("#") and href[1:] in self.anchors:
            return f"link(label({literal(href[1:])}), {body})"
        if href.startswith(("http://", "https://", "mailto:")):
            return f"link({literal(href)}, {body})"
        return body

    def tag_img(self, e: Element) -> str:
        source, alt = e.attrs.get("src", ""), literal(e.attrs.get("alt", ""))
        prefix = "data:image/svg+xml;base64,"
        if source.startswith(prefix):
            svg = base64.b64decode(source[len(prefix) :]).decode()
            return f'box(image(bytes({literal(svg)}), format: "svg", width: 100%, alt: {alt}))'
        self.unknown.add("img other than an SVG data URI")
        return alt

    # --- tables ----------------------------------------------------------------------------------------------
    def tag_table(self, e: Element) -> str:
        groups: dict[str, list[Element]] = {"thead": [], "tbody": [], "tfoot": []}
        fostered: list[Element | str] = []  # what a browser moves out of the table and shows before it
        for child in e.children:
            if isinstance(child, Element) and child.tag in groups:
                groups[child.tag].extend(child.elements("tr"))
                fostered += [c for c in child.children if not (isinstance(c, Element) and c.tag == "tr")]
            elif isinstance(child, Element) and child.tag == "tr":
                groups["tbody"].append(child)
            elif not (isinstance(child, Element) and child.tag in ("colgroup", "col", "caption")):
                fostered.append(child)
        rows = [tr for part in groups.values() for tr in part]
        for tr in rows:
            fostered += [c for c in tr.children if not (isinstance(c, Element) and c.tag in ("td", "th"))]
        count = max((sum(_span(c, "colspan") for c in tr.elements()) for tr in rows), default=1)
        widths = [_width(col) for col in e.descendants("col")][:count]
        widths += ["1fr"] * (count - len(widths))
        shares = _widths_mm(widths)
        self.tables += 1
        header = [self.row(tr, e, shares, head=True) for tr in groups["thead"]]
        body = [self.row(tr, e, shares) for tr in groups["tbody"] + groups["tfoot"]]
        self.tables -= 1
        head = f"table.header(repeat: true, {', '.join(header)}), " if header else ""
        table = f"table(columns: ({', '.join(widths)},), {head}{', '.join(r for r in body if r)})"
        before = [self.content(c.children) for c in e.elements("caption")]
        if any(not isinstance(c, str) or c.strip() for c in fostered):
            before.append(self.content(fostered))
        return f"block(width: 100%, above: 2mm, below: 4mm, {{{'; '.join([*before, table])}}})"

    def row(self, tr: Element, table: Element, shares: list[float], head: bool = False) -> str:
        """A row's cells; a body row is kept on one page unless it could be taller than half a page."""
        cells, column, tallest = [], 0, 0.0
        for cell in tr.elements():
            if cell.tag not in ("td", "th"):
                continue
            span = min(_span(cell, "colspan"), max(1, len(shares) - column))
            width = sum(shares[column : column + span]) - 3  # less the cell's padding
            tallest = max(tallest, estimated_height(cell, max(width, 5), TABLE_LINE))
            cells.append((cell, span))
            column += span
        breakable = "true" if tallest > KEEP_WHOLE_PT else "false"
        align = "center" if "counts" in table.classes else None
        return ", ".join(self.cell(cell, span, align, None if head else breakable) for cell, span in cells)

    def cell(self, e: Element, span: int, align: str | None, breakable: str | None) -> str:
        body = self.content(e.children)
        options = f"align: {align or ('right' if 'num' in e.classes else 'left')}, "
        if span > 1:
            options += f"colspan: {span}, "
        if _span(e, "rowspan") > 1:
            options += f"rowspan: {_span(e, 'rowspan')}, "
        if breakable:
            options += f"breakable: {breakable}, "
        if e.tag == "th":
            return f"th({options}{body})"
        return f"table.cell({options}{self.styled(e, body)})"


def _span(cell: Element, attribute: str) -> int:
    value = cell.attrs.get(attribute, "")
    return max(1, min(int(value), 1000)) if value.isascii() and value.isdigit() else 1


def _width(col: Element) -> str:
    share = next((c[1:] for c in col.classes if re.fullmatch(r"w\d{1,2}", c)), None)
    return f"{share}%" if share else "1fr"


def _widths_mm(widths: list[str]) -> list[float]:
    """The columns' widths in mm, as a table of the text's width lays them out: percentages first, 1fr the rest."""
    fixed = sum(float(w[:-1]) for w in widths if w.endswith("%")) / 100 * TEXT_WIDTH_MM
    free = max(TEXT_WIDTH_MM - fixed, 0) / max(1, sum(1 for w in widths if w == "1fr"))
    return [float(w[:-1]) / 100 * TEXT_WIDTH_MM if w.endswith("%") else free for w in widths]
