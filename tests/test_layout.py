"""The layout tags shared by every app's pages: a wide table's scroll region, and every page's tables inside one."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

# Laid out for A4 by WeasyPrint (their HTML preview too), with percentage columns: they fit a phone without a region.
PRINTED = {"cityreport/document.html", "cityreport/_problems.html", "evaluation/document.html", "meetings/minutes.html"}
NOT_OURS = ("admin/", "rest_framework/")  # Django's and DRF's own pages, restyled but not laid out here


def render(source: str, **context) -> str:
    return Template("{% load i18n layout %}" + source).render(Context(context))


def test_a_table_is_wrapped_in_a_named_focusable_region():
    with translation.override("zh-hans"):
        html = render('{% tablescroll _("Targets") %}<table></table>{% endtablescroll %}')
    assert html == '<div class="table-scroll" role="region" tabindex="0" aria-label="目标"><table></table></div>'


def test_the_region_s_name_is_escaped_and_its_table_is_not():
    html = render(
        "{% tablescroll name %}<table><td>{{ cell }}</td></table>{% endtablescroll %}", name='A "B" <C>', cell="<b>"
    )
    assert 'aria-label="A &quot;B&quot; &lt;C&gt;"' in html
    assert "<table><td>&lt;b&gt;</td></table>" in html


def test_the_region_needs_exactly_one_name():
    with pytest.raises(TemplateSyntaxError):
        render("{% tablescroll %}<table></table>{% endtablescroll %}")


def test_every_table_of_the_site_s_pages_is_in_a_scroll_region():
    """A new table cannot forget the region: on a phone it would make the whole page scroll sideways."""
    root = Path(settings.BASE_DIR) / "templates"
    bare = []
    for path in sorted(root.rglob("*.html")):
        name = path.relative_to(root).as_posix()
        if name in PRINTED or name.startswith(NOT_OURS):
            continue
        source = path.read_text()
        tables = len(re.findall(r"<table\b", source))
        wrapped = len(re.findall(r"\{% tablescroll [^%]+%\}\s*<table\b", source))
        if tables != wrapped:
            bare.append(f"{name}: {tables - wrapped} of {tables}")
    assert not bare, bare
