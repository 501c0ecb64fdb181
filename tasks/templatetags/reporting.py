from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tasks.figures import plain as plain_number
from tasks.models import ReportStatus

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
