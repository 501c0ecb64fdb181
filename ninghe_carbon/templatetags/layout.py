"""Layout tags shared by every app's pages (registered as the `layout` library in settings.TEMPLATES)."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.tag
def tablescroll(parser, token):
    """`{% tablescroll label %}<table>…</table>{% endtablescroll %}`: a table that may be wider than a phone.

    It scrolls sideways in its own region and the page never does. The region is a named landmark and a tab stop, so
    a keyboard scrolls it with the arrow keys and a screen reader says what it holds (axe-core's
    scrollable-region-focusable); static/js/site.js drops the tab stop while the table fits.
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument, the region's name")
    nodelist = parser.parse(("endtablescroll",))
    parser.delete_first_token()
    return TableScrollNode(parser.compile_filter(bits[1]), nodelist)


class TableScrollNode(template.Node):
    def __init__(self, label, nodelist):
        self.label = label
        self.nodelist = nodelist

    def render(self, context):
        return format_html(
            '<div class="table-scroll" role="region" tabindex="0" aria-label="{}">{}</div>',
            self.label.resolve(context),
            self.nodelist.render(context),
        )
