from django import template
from django.utils.html import format_html

from results.models import TargetStatus

register = template.Library()
LABELS = dict(TargetStatus.choices)


@register.simple_tag
def target_status(result):
    """A status as a word and a colour (colour-blind readers get the word), or a dash when not computed."""
    if result is None:
        return "–"
    return format_html(
        '<span class="tstatus tstatus-{}">{}</span>', result.status, LABELS.get(result.status, result.status)
    )


@register.filter
def percent(share):
    return "–" if share is None else f"{share * 100:.0f}%"


@register.filter
def lookup(mapping, key):
    return mapping.get(key) if mapping else None
