"""The 需市级协调 mark beside a reported major problem in other apps' templates (the office's home, the report
page), which may not import this app: `{% city_marks problems as marks %}` once, then `{% city_mark problem marks %}`
per row."""

from django import template

from departments.roles import is_office, is_viewer

from .. import selectors

register = template.Library()


@register.simple_tag
def city_marks(problems) -> dict:
    return selectors.escalations(p.pk for p in problems)


@register.inclusion_tag("cityreport/_mark.html", takes_context=True)
def city_mark(context, problem, marks):
    """The mark (office and leaders) and, for the office, the link to mark or withdraw once the problem's report has
    reached the office (a draft's problem shows on the office's home at once, but is still the unit's own); units
    see nothing."""
    user = context["request"].user
    return {
        "problem": problem,
        "mark": marks.get(problem.pk) if is_office(user) or is_viewer(user) else None,
        "is_office": is_office(user) and selectors.is_reported(problem),
    }
