"""The evaluation as a document: one template renders the HTML preview and, through WeasyPrint, the PDF."""

from __future__ import annotations

import re
import ssl
from collections.abc import Callable
from functools import cache

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from results.models import TargetStatus
from results.templatetags.progress_tags import TASK_LABELS

from . import charts

DOCUMENT_LANGUAGE = "zh-hans"  # the report goes to the city in Chinese, whatever language the office reads in
STYLESHEET = "css/evaluation-document.css"
TARGET_ORDER = ["achieved", "on_track", "at_risk", "off_track", "no_data", "baseline_missing", "awaiting_city"]
TASK_ORDER = ["completed", "in_progress", "behind", "not_started", "no_update"]
TIMELINESS_ORDER = ["on_time", "late", "missing", "pending"]

# Steps are stored untranslated (gettext_noop) and translated when shown, in the reader's language.
Progress = Callable[[int, str], None]


def labels() -> dict[str, dict[str, str]]:
    return {
        "target": {code: str(label) for code, label in TargetStatus.choices},
        "task": {code: str(label) for code, label in TASK_LABELS.items()},
        "timeliness": {
            "on_time": _("on time"),
            "late": _("late"),
            "missing": _("missing"),
            "pending": _("not yet due"),
        },
        "band": {
            "excellent": _("excellent"),
            "good": _("good"),
            "pass": _("pass"),
            "fail": _("fail"),
            "not_scored": _("not scored"),
        },
    }


def page_counter_css() -> str:
    """The footer's "page n of N" as CSS content, in the document's word order (第 n 页 / 共 N 页)."""
    pattern = _("Page {page} of {pages}")
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", pattern):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append('"' + piece.replace('"', "") + '"')
    return " ".join(parts)


def figures(snapshot: dict, names: dict) -> dict[str, str]:
    """The four charts as SVG data URIs: targets and tasks by area, reports by quarter, scores by unit."""
    areas = snapshot["areas"]
    short = [(f"{a['number']}. {a['title']}" if a["number"] else a["title"]) for a in areas]
    quarters = [
        (
            _("Q%(quarter)s") % {"quarter": q},
            {s: sum(1 for row in snapshot["timeliness"] if row["quarters"][i] == s) for s in TIMELINESS_ORDER},
        )
        for i, q in enumerate(snapshot["quarters"])
    ]
    scheme = snapshot["scheme"]
    bands = [
        (scheme["band_pass"], names["band"]["pass"]),
        (scheme["band_good"], names["band"]["good"]),
        (scheme["band_excellent"], names["band"]["excellent"]),
    ]
    return {
        "targets": charts.as_data_uri(
            charts.stacked_bars(
                [(n, a["target_statuses"]) for n, a in zip(short, areas, strict=True) if a["target_statuses"]],
                TARGET_ORDER,
                names["target"],
                title=_("Targets by action area"),
            )
        ),
        "tasks": charts.as_data_uri(
            charts.stacked_bars(
                [(n, a["task_statuses"]) for n, a in zip(short, areas, strict=True)],
                TASK_ORDER,
                names["task"],
                title=_("Tasks by action area (lead unit's latest approved update)"),
            )
        ),
        "timeliness": charts.as_data_uri(
            charts.stacked_bars(
                quarters, TIMELINESS_ORDER, names["timeliness"], title=_("Quarterly reports by timeliness")
            )
        ),
        "scores": charts.as_data_uri(
            charts.score_bars(
                [(r["department"], r["total"]) for r in snapshot["assessment"]],
                title=_("Assessment scores by unit"),
                bands=bands,
            )
        ),
    }


def page_css(snapshot: dict, *, final: bool) -> str:
    """The words in the page margins (第 n 页 / 共 N 页; 草稿 or 定稿, 演示数据), which CSS cannot translate itself."""
    with translation.override(DOCUMENT_LANGUAGE):
        stamp = str(_("Final") if final else _("Draft"))
        if snapshot["is_demo"]:
            stamp += " · " + str(_("DEMO DATA"))
        # The cover's margins stay empty: `@page cover` in the stylesheet outranks this plain `@page`.
        return (
            f'@page {{ @bottom-center {{ content: {page_counter_css()}; }} @bottom-right {{ content: "{stamp}"; }} }}\n'
        )


def render_html(
    snapshot: dict, *, final: bool, progress: Progress | None = None, for_pdf: bool = False, back_url: str = ""
) -> str:
    """The document's HTML; the preview passes `back_url`, the page it came from, for a link back to the site."""
    with translation.override(DOCUMENT_LANGUAGE):
        names = labels()
        if progress:
            progress(20, gettext_noop("Drawing the charts"))
        context = {
            "s": snapshot,
            "final": final,
            "names": names,
            "figures": figures(snapshot, names),
            "for_pdf": for_pdf,
            "back_url": back_url,
            "tasks_by_id": {t["id"]: t for a in snapshot["areas"] for t in a["tasks"]},
        }
        return render_to_string("evaluation/document.html", context)


def render_pdf(snapshot: dict, *, final: bool, progress: Progress | None = None) -> tuple[bytes, int]:
    """The PDF and its page count. Imported lazily: WeasyPrint loads Pango, which pages never need."""
    html = render_html(snapshot, final=final, progress=progress, for_pdf=True)
    if progress:
        progress(45, gettext_noop("Laying out the pages"))
    document = layout(html, snapshot, final=final)
    if progress:
        progress(85, gettext_noop("Writing the PDF"))
    return document.write_pdf(), len(document.pages)


def layout(html: str, snapshot: dict, *, final: bool):
    """WeasyPrint's pages: the document's stylesheet from the static files, plus the margins' words."""
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML

    fetcher = _url_fetcher()
    stylesheets = [
        CSS(filename=finders.find(STYLESHEET), url_fetcher=fetcher),
        CSS(string=page_css(snapshot, final=final), url_fetcher=fetcher),
    ]
    return HTML(string=html, base_url=".", url_fetcher=fetcher).render(stylesheets=stylesheets)


def _url_fetcher():
    """A fetcher limited to what the document holds (data: charts, the stylesheet file), sharing one SSL context.

    Left to itself WeasyPrint makes a fetcher, and with it a fresh SSL context, for the document and each stylesheet;
    nothing in the report comes from the network.
    """
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data", "file"}, ssl_context=_ssl_context())


@cache
def _ssl_context() -> ssl.SSLContext:
    return ssl.create_default_context()
