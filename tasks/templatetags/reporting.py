from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tasks.figures import plain as plain_number
from tasks.models import TIMELINESS_LABELS, ReportStatus

register = template.Library()

STATE_LABELS = {
    "not_started": _("Not started"),
    "overdue": _("Overdue, not yet sent"),
    "late": _("Sent late"),
    **dict(ReportStatus.choices),
    "returned_overdue": _("Returned, overdue: not sent again"),
    "awaiting_signoff_overdue": _("Awaiting the head's sign-off, overdue"),
}
ITEM_STATES = {"done": _("filled in"), "todo": _("to fill in"), "error": _("has errors")}


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


@register.simple_tag
def item_state(state: str):
    """A task's or indicator's state in the form's contents (the page's script keeps it current)."""
    return format_html('<span class="item-state item-{}" data-state="{}">{}</span>', state, state, ITEM_STATES[state])


@register.filter
def plain(number) -> str:
    """7.39, not 7.3900."""
    return plain_number(number)


@register.filter
def signed(number) -> str:
    """A change as +0.11 or −0.4 (a plain number with its sign)."""
    if number is None:
        return "–"
    return ("+" if number > 0 else "") + plain_number(number)


@register.filter
def share(fraction) -> str:
    """0.015 as +1.5%."""
    if fraction is None:
        return "–"
    return signed(round(fraction * 100, 1)) + "%"
