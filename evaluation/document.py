"""The evaluation as a document: one template renders the HTML preview and, through Typst, the PDF."""

from __future__ import annotations

from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from progress.timeliness import Timeliness
from results.models import TargetStatus
from results.templatetags.progress_tags import TASK_LABELS
from tasks.models import TIMELINESS_LABELS

from . import charts, typeset

DOCUMENT_LANGUAGE = "zh-hans"  # the report goes to the city in Chinese, whatever language the office reads in
TARGET_ORDER = [
    "met_by_date",
    "achieved",
    "on_track",
    "at_risk",
    "off_track",
    "missed_by_date",
    "no_data",
    "baseline_missing",
    "awaiting_city",
]
TASK_ORDER = ["completed", "in_progress", "behind", "not_started", "no_update"]
TIMELINESS_ORDER = [str(state) for state in Timeliness]

# Steps are stored untranslated (gettext_noop) and translated when shown, in the reader's language.
Progress = Callable[[int, str], None]


def labels() -> dict[str, dict[str, str]]:
    return {
        "target": {code: str(label) for code, label in TargetStatus.choices},
        "task": {code: str(label) for code, label in TASK_LABELS.items()},
        "timeliness": {str(code): str(label) for code, label in TIMELINESS_LABELS.items()},
        "band": {
            "excellent": _("excellent"),
            "good": _("good"),
            "pass": _("pass"),
            "fail": _("fail"),
            "not_scored": _("not scored"),
        },
    }


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


def stamp(snapshot: dict, *, final: bool) -> str:
    """The words in the bottom right margin of every page but the cover: 草稿 or 定稿, and 演示数据 for the demo."""
    with translation.override(DOCUMENT_LANGUAGE):
        words = str(_("Final") if final else _("Draft"))
        if snapshot["is_demo"]:
            words += " · " + str(_("DEMO DATA"))
        return words


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
    """The PDF and its page count."""
    html = render_html(snapshot, final=final, progress=progress, for_pdf=True)
    if progress:
        progress(45, gettext_noop("Laying out the pages"))
    document = layout(html, snapshot, final=final)
    return document.pdf, document.pages


def layout(html: str, snapshot: dict, *, final: bool) -> typeset.Typeset:
    """The document's HTML typeset by Typst, with the margins' words (see evaluation.typeset for why Typst)."""
    with translation.override(DOCUMENT_LANGUAGE):
        page_pattern = str(_("Page {page} of {pages}"))
    source = typeset.translate(html, stamp=stamp(snapshot, final=final), page_pattern=page_pattern).source
    return typeset.compile_pdf(source)
