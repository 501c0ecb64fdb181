from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from results.models import TargetStatus
from tasks.models import TaskStatus

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


@register.simple_tag
def figure_kind(result, unit=""):
    """Which kind of figure the latest value is (部门报送, 统计初步, 统计核实), and the other kinds beside it when they
    differ."""
    if result is None or not result.latest_kind:
        return ""
    badge = format_html('<span class="figure-kind kind-{}">{}</span>', result.latest_kind, result.latest_kind_label)
    beside = result.figures_beside(unit)
    if beside:
        return format_html('{}<div class="muted small figures-beside">{}</div>', badge, beside)
    return badge


@register.filter
def percent(share):
    return "–" if share is None else f"{share * 100:.0f}%"


@register.filter
def lookup(mapping, key):
    return mapping.get(key) if mapping else None


TASK_LABELS = {**dict(TaskStatus.choices), "no_update": _("No approved update")}


@register.simple_tag
def task_status(result):
    """The lead's latest approved status, with 逾期 beside it when last quarter's update is missing or late."""
    label = format_html(
        '<span class="state state-task-{}">{}</span>', result.status, TASK_LABELS.get(result.status, result.status)
    )
    if result.overdue:
        return format_html('{} <span class="state state-overdue">{}</span>', label, _("overdue"))
    return label


@register.filter
def task_label(code):
    return TASK_LABELS.get(code, code)
