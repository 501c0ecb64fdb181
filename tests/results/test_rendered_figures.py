"""The figures the demo installation shows, page by page, against a golden file written by the code before the result
tables' new layout (issue #18: pages, API, exports and the annual PDF show identical figures before and after).

The demo is built and every page rendered at DEMO_LOADED with the clock stopped, so 'today' (the default quarter,
overdue, timeliness) is the same whatever day the suite runs (NINGHE_TEST_TODAY) and on SQLite and PostgreSQL.
What is compared is text (tests/results/rendered_text.py): the visible words and numbers, never markup.

Normalised, because it differs between runs of the same code rather than between layouts:
- clock readings (computed at, generated at, approved at: they are the run's clock) become `<time>`;
- `computed_at` and URLs are dropped from the API's rows and its paging links are not kept;
- database ids in the API become the rows' names (a target as indicator·task·period, a task as its code, an area
  as its order, a unit as its name), since ids depend on what else ran in the database before;
- pdftotext's column padding is squeezed to one space;
- the items of a count list (<ul class="counts">) are sorted: the overview's task counts come in the order the
  database returns the rollup's JSON keys (SQLite as written, PostgreSQL's jsonb shortest key first). Found by
  running this test on both; each item keeps its label and count.

Regenerate (only on the code before a layout change, and say so in the commit):
`NINGHE_WRITE_GOLDEN=1 .venv/bin/pytest -p no:cacheprovider -q tests/results/test_rendered_figures.py`
"""

from __future__ import annotations

import csv
import difflib
import gzip
import io
import json
import os
from collections import Counter
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from departments.models import Department
from evaluation import services as evaluation_services
from evaluation.models import ReportFile
from indicators.models import Indicator, Target
from results.selectors import latest_computed_period
from targets.models import Area, Task
from tasks.models import ReportingPeriod
from tests.evaluation.conftest import DEMO_LOADED

from .rendered_text import json_lines, pdf_lines, table_lines, visible_lines

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).with_name("rendered_figures.json.gz")
WRITE = os.environ.get("NINGHE_WRITE_GOLDEN") == "1"

# The pages' own default (2026Q3 at DEMO_LOADED: the last quarter that has ended), a year's end and the demo's first.
QUARTERS = [None, (2025, 4), (2024, 3)]
YEAR = 2025  # the annual evaluation's default year at DEMO_LOADED, the one with a complete demo history
INDICATORS = ["forest-coverage", "energy-intensity", "non-fossil-energy-share", "carbon-peak", "coal-consumption"]
TASKS = ["2.1", "6.2", "政策保障·5"]  # co-owned, with targets; one behind in an unnumbered part
KNOWN_ON = "2026-06-30"
MAX_DIFF_LINES = 20
MAX_PAGES_SHOWN = 3


def test_the_demo_shows_the_same_figures_as_the_golden_file(demo_plan, demo_office, client):
    with time_machine.travel(DEMO_LOADED, tick=False):
        client.force_login(demo_office)  # at the demo's moment: a session from another day may have expired there
        pages = list(_rendered(client, demo_plan, demo_office))
    rendered = dict(pages)
    assert len(rendered) == len(pages), "two pages under one name"
    if WRITE:
        _write(rendered)
        return
    assert GOLDEN.exists(), f"no golden file {GOLDEN.name}: run once with NINGHE_WRITE_GOLDEN=1"
    golden = json.loads(gzip.decompress(GOLDEN.read_bytes()))
    problems = _differences(golden, rendered)
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


# --- what is rendered --------------------------------------------------------------------------------------------


def _rendered(client, plan, office):
    """(name, lines) of every page, API list, export and document, in a fixed order."""
    for quarter in QUARTERS:
        label = "default" if quarter is None else f"{quarter[0]}Q{quarter[1]}"
        period = None if quarter is None else ReportingPeriod.objects.get(year=quarter[0], quarter=quarter[1])
        yield from _pages(client, plan, label, {} if period is None else {"period": period.pk})
        yield from _api(client, label, {} if quarter is None else {"as_of": label})
        yield from _exports(client, plan, label, period)
    yield from _filtered_overview(client, plan)
    yield _page(client, "page departments", reverse("dashboard:department-list", args=[plan.code]))
    yield from _known_on(client, plan)
    yield from _city_report(client, plan)
    yield from _evaluation(client, plan, office)


def _page(client, key, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, f"{key}: {url} answered {response.status_code}"
    return key, visible_lines(response.content.decode())


def _pages(client, plan, label, params):
    """The dashboard's pages that show results, as of the quarter (?period=, the pages' 'as of' menu)."""
    code = plan.code
    yield _page(client, f"page {label} plan", reverse("dashboard:plan-detail", args=[code]), params)
    yield _page(client, f"page {label} overview", reverse("dashboard:overview", args=[code]), params)
    yield _page(client, f"page {label} targets", reverse("dashboard:target-list", args=[code]), params)
    for order in plan.areas.order_by("order").values_list("order", flat=True):
        yield _page(client, f"page {label} area {order}", reverse("dashboard:area-detail", args=[code, order]), params)
    for department in Department.objects.filter(jurisdiction=plan.jurisdiction_id).order_by("name"):
        url = reverse("dashboard:department-detail", args=[code, department.pk])
        yield _page(client, f"page {label} department {department.name}", url, params)
    for indicator in Indicator.objects.filter(plan=plan, code__in=INDICATORS).order_by("code"):
        url = reverse("dashboard:indicator-detail", args=[code, indicator.pk])
        yield _page(client, f"page {label} indicator {indicator.code}", url, params)
    for task in _tasks(plan):
        url = reverse("dashboard:task-detail", args=[code, task.pk])
        yield _page(client, f"page {label} task {task.code}", url, params)


def _tasks(plan):
    tasks = Task.objects.filter(area__plan=plan).select_related("area").order_by("area__order", "number")
    return [t for t in tasks if t.code in TASKS]


def _api(client, label, params):
    """The results endpoints, every page of each (?as_of=2025Q4, the API's 'as of')."""
    names = _names()
    for endpoint in ("target-result", "task-result", "rollup", "timeliness"):
        yield f"api {label} {endpoint}", _all_rows(client, reverse(f"api:{endpoint}-list"), params, names)


def _all_rows(client, url, params, names) -> list[str]:
    """Every page at the API's own page size (each a request, as a client pages through)."""
    rows, page, count = [], 1, None
    while True:
        response = client.get(url, {**params, "page": page})
        assert response.status_code == 200, f"{url} {params} page {page}: {response.status_code}"
        body = response.json()
        count = body["count"]
        rows.extend(body["results"])
        if not body["next"]:
            break
        page += 1
    return [f"count {count}", *json_lines(rows, names)]


def _names() -> dict[str, dict[int, str]]:
    """Ids as the names a reader knows the rows by; a target as indicator·task·period (#n when it repeats)."""
    targets = Target.objects.select_related("indicator", "task__area").order_by("pk")
    seen, target_names = Counter(), {}
    for target in targets:
        name = f"{target.indicator.code}·{target.task.code if target.task else 'main'}·{target.period}"
        seen[name] += 1
        target_names[target.pk] = name if seen[name] == 1 else f"{name}#{seen[name]}"
    return {
        "target": target_names,
        "indicator": dict(Indicator.objects.values_list("pk", "code")),
        "task": {t.pk: t.code for t in Task.objects.select_related("area")},
        "area": {pk: f"area {order}" for pk, order in Area.objects.values_list("pk", "order")},
        "department": dict(Department.objects.values_list("pk", "name")),
    }


def _exports(client, plan, label, period):
    """The exports the overview links: the quarter's year, narrowed to the quarter (?period=) unless it is the
    default one."""
    year = (period or latest_computed_period(plan, today=timezone.localdate())).year
    params = {"period": period.pk} if period else {}
    response = client.get(reverse("evaluation:export-excel", args=[plan.code, year]), params)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    for sheet in book.worksheets:
        yield f"export {label} {year}.xlsx {sheet.title}", table_lines(sheet.iter_rows(values_only=True))
    response = client.get(reverse("evaluation:export-csv", args=[plan.code, year, "targets"]), params)
    assert response.status_code == 200
    rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    yield f"export {label} {year}-targets.csv", table_lines(rows)


def _filtered_overview(client, plan):
    """The overview narrowed as the office narrows it: its risks and overdue tasks of one area, of one unit."""
    url = reverse("dashboard:overview", args=[plan.code])
    area = plan.areas.get(order=2)
    yield _page(client, "page default overview area 2", url, {"area": area.pk})
    unit = Department.objects.get(name="区发展改革委")
    yield _page(
        client, f"page default overview {unit.name} missed", url, {"department": unit.pk, "status": "missed_by_date"}
    )


def _known_on(client, plan):
    """Statuses computed from the figures known on a day: the same results read another way."""
    params = {"known_on": KNOWN_ON}
    yield _page(client, f"page known-on {KNOWN_ON} targets", reverse("dashboard:target-list", args=[plan.code]), params)
    yield (
        f"api known-on {KNOWN_ON} target-result",
        _all_rows(client, reverse("api:target-result-list"), params, _names()),
    )


def _city_report(client, plan):
    """The reports to the city (counts from the plan's rollup, lagging targets, overdue tasks): a quarter and a year."""
    for scope in ("2026-q3", "2025"):
        yield _page(client, f"city report {scope} preview", reverse("cityreport:preview", args=[plan.code, scope]))


def _evaluation(client, plan, office):
    """The annual evaluation of YEAR: its assessment page, its whole-year export, its HTML preview and its PDF's
    text."""
    yield _page(client, f"evaluation {YEAR} assessment", reverse("evaluation:assessment", args=[plan.code, YEAR]))
    response = client.get(reverse("evaluation:export-excel", args=[plan.code, YEAR]))
    for sheet in load_workbook(io.BytesIO(response.content), read_only=True).worksheets:
        yield f"evaluation {YEAR} export.xlsx {sheet.title}", table_lines(sheet.iter_rows(values_only=True))
    yield _page(client, f"evaluation {YEAR} preview", reverse("evaluation:preview", args=[plan.code, YEAR]))
    evaluation = evaluation_services.evaluation_for(plan, YEAR)
    file = ReportFile.objects.create(evaluation=evaluation, requested_by=office)
    file = evaluation_services.generate_pdf(file.pk)
    assert file.state == ReportFile.State.DONE, file.error
    yield f"evaluation {YEAR} pdf", pdf_lines(file.file.path)


# --- golden file -------------------------------------------------------------------------------------------------


def _write(rendered: dict[str, list[str]]) -> None:
    """Sorted keys, no timestamp in the gzip header: the same figures write the same bytes."""
    raw = json.dumps(rendered, ensure_ascii=False, indent=0, sort_keys=True).encode()
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=9) as out:
        out.write(raw)
    GOLDEN.write_bytes(buffer.getvalue())


def _differences(golden: dict[str, list[str]], rendered: dict[str, list[str]]) -> list[str]:
    """One paragraph per differing page (the first few with a short diff), then the names of the rest."""
    missing = sorted(set(golden) - set(rendered))
    extra = sorted(set(rendered) - set(golden))
    changed = [key for key in sorted(golden) if key in rendered and golden[key] != rendered[key]]
    problems = [f"pages in the golden file not rendered: {missing}"] if missing else []
    if extra:
        problems.append(f"pages rendered but not in the golden file: {extra}")
    for key in changed[:MAX_PAGES_SHOWN]:
        diff = list(difflib.unified_diff(golden[key], rendered[key], "golden", "rendered", n=1, lineterm=""))
        shown = diff[:MAX_DIFF_LINES] + (
            [f"… {len(diff) - MAX_DIFF_LINES} more diff lines"] if len(diff) > MAX_DIFF_LINES else []
        )
        problems.append(f"{key!r} differs:\n" + "\n".join(shown))
    if changed[MAX_PAGES_SHOWN:]:
        problems.append(f"{len(changed) - MAX_PAGES_SHOWN} more pages differ: {changed[MAX_PAGES_SHOWN:]}")
    return problems
