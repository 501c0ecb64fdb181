"""The report to the city as a document: one template gives the HTML preview and, through the annual evaluation's
typesetting (evaluation.typeset: Typst, its fonts, 草稿/定稿 and 演示数据 page stamps), the PDF."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_noop

from evaluation import document as evaluation_document
from evaluation.document import DOCUMENT_LANGUAGE, Progress


def render_html(content: dict, *, final: bool, for_pdf: bool = False, back_url: str = "") -> str:
    with translation.override(DOCUMENT_LANGUAGE):
        context = {
            "s": content,
            "final": final,
            "names": evaluation_document.labels(),
            "for_pdf": for_pdf,
            "back_url": back_url,
        }
        return render_to_string("cityreport/document.html", context)


def render_pdf(content: dict, *, final: bool, progress: Progress | None = None) -> tuple[bytes, int]:
    """The PDF and its page count."""
    html = render_html(content, final=final, for_pdf=True)
    if progress:
        progress(40, gettext_noop("Laying out the pages"))
    document = evaluation_document.layout(html, content, final=final)
    return document.pdf, document.pages
