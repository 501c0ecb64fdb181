"""Number and text formatting for the evaluation document."""

from django import template

register = template.Library()


@register.filter
def num(value):
    """A figure as the report prints it: up to 4 decimals, no trailing zeros, a dash when unknown."""
    if value is None or value == "":
        return "–"
    text = f"{float(value):,.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@register.filter
def signed(value):
    return f"{float(value):+.1f}"


@register.filter
def paragraphs(text):
    return [p.strip() for p in (text or "").splitlines() if p.strip()]
