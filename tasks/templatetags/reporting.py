from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tasks.models import TIMELINESS_LABELS, ReportStatus

register = template.Library()

STATE_LABELS = {
    "not_started": _("Not started"),
    "overdue": _("Overdue, not yet sent"),
    "late": _("Sent late"),
    **dict(ReportStatus.choices),
}


@register.simple_tag
def state_badge(state: str):
    """A status as a word and a colour, so it reads without colour vision too."""
    return format_html('<span class="state state-{}">{}</span>', state, STATE_LABELS.get(state, state))


TIMELINESS_STYLE = {"on_time": "approved", "late": "late", "missing": "overdue", "pending": "not_started"}


@register.simple_tag
def timeliness_badge(state: str):
    """On time, late, missing or not yet due (progress.timeliness), in the same words on every page."""
    return format_html(
        '<span class="state state-{}" data-timeliness="{}">{}</span>',
        TIMELINESS_STYLE.get(state, state),
        state,
        TIMELINESS_LABELS.get(state, state),
    )


@register.inclusion_tag("tasks/_timeliness_counts.html")
def timeliness_counts(counts: dict):
    """A quarter's headline counts, each with an id (timeliness-on_time, …) the agreement test reads."""
    return {"rows": [(str(code), label, counts.get(code, 0)) for code, label in TIMELINESS_LABELS.items()]}
