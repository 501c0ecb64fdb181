"""The document's HTML as a small tree, with white space already collapsed as a browser lays it out.

The standard library's parser is enough: the HTML comes from our own templates (Django escapes what units typed).
Two rules of HTML it does not apply are applied here, because the preview (a browser) applies them: a block element
closes an open <p>, and runs of white space collapse to one space, dropped at the edges of blocks and lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"br", "img", "col", "meta", "link", "input", "hr", "wbr"}
# Elements laid out as blocks (or table parts): white space never runs across their edges.
BLOCKS = {
    "html", "head", "body", "section", "nav", "div", "p", "h1", "h2", "h3", "h4", "ul", "ol", "li",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "td", "th",
}  # fmt: skip
CLOSES_P = BLOCKS - {
    "html",
    "head",
    "body",
    "li",
    "caption",
    "colgroup",
    "col",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
}
P_SCOPE = {"html", "table", "td", "th", "caption", "button"}  # an open <p> beyond these is not closed by a block
NOT_TEXT = {"head", "script", "style", "title", "template"}  # never laid out: no part of any line
HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # not U+00A0 nor U+3000: those are text


@dataclass
class Element:
    """An element of the document: its tag, attributes and children (elements and strings, in order)."""

    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def elements(self, tag: str | None = None):
        """Child elements (of one tag)."""
        return [c for c in self.children if isinstance(c, Element) and (tag is None or c.tag == tag)]

    def descendants(self, tag: str):
        for child in self.elements():
            if child.tag == tag:
                yield child
            yield from child.descendants(tag)


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        if tag in CLOSES_P:  # a block closes an open <p> (and what is open inside it), as the HTML parser does
            for depth in range(len(self.stack) - 1, 0, -1):
                if self.stack[depth].tag in P_SCOPE:
                    break
                if self.stack[depth].tag == "p":
                    del self.stack[depth:]
                    break
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):  # close up to the matching element, as browsers do
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    """The tree of the HTML, white space collapsed."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    collapse_white_space(builder.root)
    return builder.root


class _Line:
    """Where a block's inline flow stands: whether it ends in a space, and the text that holds its last character."""

    def __init__(self):
        self.space = True  # a block starts as if after a space: leading white space goes
        self.last: tuple[Element, int] | None = None

    def end(self) -> None:
        """A line ends (block edge, <br>): trailing white space goes."""
        if self.last:
            parent, index = self.last
            parent.children[index] = parent.children[index].rstrip(" ")
        self.last = None
        self.space = True


def collapse_white_space(block: Element) -> None:
    """CSS `white-space: normal` on the tree, in place: each block is its own flow."""
    line = _Line()
    _flow(block, line)
    line.end()


def _flow(element: Element, line: _Line) -> None:
    for index, child in enumerate(element.children):
        if isinstance(child, str):
            text = HTML_SPACE.sub(" ", child)
            if line.space and text.startswith(" "):
                text = text[1:]
            element.children[index] = text
            if text:
                line.space = text.endswith(" ")
                line.last = (element, index)
        elif child.tag in NOT_TEXT or child.tag == "wbr":
            continue
        elif child.tag == "br":
            line.end()
        elif child.tag in BLOCKS:
            line.end()
            collapse_white_space(child)
        elif child.tag in VOID:  # an image: content that is not a space
            line.space, line.last = False, None
        else:
            _flow(child, line)  # inline: the same flow runs through it
