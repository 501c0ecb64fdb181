from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tasks.models import ReportStatus

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
