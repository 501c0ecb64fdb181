"""Notice panels for other apps' pages: the templates of tasks/ and dashboard/ load these, so those apps never import
supervision (templates are not import-checked; tasks/ sits below this app)."""

from django import template
from django.utils import timezone

from departments.roles import department_of, is_office, is_viewer

from .. import permissions, selectors
from ..models import Notice

register = template.Library()


@register.inclusion_tag("supervision/_unit_panel.html", takes_context=True)
def unit_notices_panel(context):
    """The top of a unit's home page: what it must answer (overdue first in red), and what it was copied on."""
    user = context["request"].user
    department = department_of(user)
    notices = list(selectors.open_notices_of(department)) if department else []
    return {
        "notices": notices,
        "today": timezone.localdate(),
        "department": department,
        "to_answer": [n for n in notices if n.responsible_id == department.pk] if department else [],
    }


@register.inclusion_tag("supervision/_overdue_panel.html", takes_context=True)
def overdue_notices_panel(context, plan):
    """Overdue notices for the office and leaders (the overview, the office's home)."""
    user = context["request"].user
    if not (is_office(user) or is_viewer(user)):
        return {"notices": []}
    today = timezone.localdate()
    return {"notices": list(selectors.overdue_notices(plan, today)), "today": today}


@register.inclusion_tag("supervision/_report_notices.html", takes_context=True)
def report_notices(context, report):
    """The quarter's notices of the reporting unit, on its report's page and the office's review."""
    user = context["request"].user
    notices = permissions.visible_notices(
        user, selectors.notices_of_period(report.plan, report.period, report.department)
    )
    return {"notices": list(notices), "today": timezone.localdate(), "is_office": is_office(user), "report": report}


@register.inclusion_tag("supervision/_department_notices.html", takes_context=True)
def department_notices(context, plan, department):
    """A unit's supervision history on its department page (every notice, newest first)."""
    user = context["request"].user
    notices = permissions.visible_notices(user, Notice.objects.filter(plan=plan).for_department(department))
    return {
        "notices": list(selectors.notice_list(notices)),
        "today": timezone.localdate(),
        "department": department,
        "visible": is_office(user) or is_viewer(user) or department_of(user) == department,
    }


@register.simple_tag(takes_context=True)
def can_open_notice(context):
    return permissions.can_open(context["request"].user)
