"""The office's overview and drill-down pages: who may open them, what they show, constant query counts."""

import pytest
from django.urls import reverse

from results import services
from tests.factories import build_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(plan, period):
    services.recompute_plan(plan)
    return plan


def test_overview_is_for_the_office_and_viewers_only(computed, office_client, viewer_client, dept_a_client, client):
    url = reverse("dashboard:overview", args=[computed.code])
    assert office_client.get(url).status_code == 200
    assert viewer_client.get(url).status_code == 200
    assert dept_a_client.get(url).status_code == 403
    assert client.get(url).status_code == 302


def test_overview_shows_figures_charts_and_data_tables(computed, office_client):
    html = office_client.get(reverse("dashboard:overview", args=[computed.code])).content.decode()
    assert 'id="chart-areas"' in html and 'id="area-figure"' in html and 'id="heatmap-figure"' in html
    assert "/static/plotly/plotly-cartesian.min.js" in html and "cdn" not in html.lower()
    assert "查看数据" in html
    assert "产业绿色低碳提升行动" in html  # an area in the chart's data table
    assert "待下达" in html  # statuses carry words, not only colours


def test_overview_filters_keep_to_the_chosen_area(computed, office_client):
    area = computed.areas.get(number=6)
    html = office_client.get(reverse("dashboard:overview", args=[computed.code]), {"area": area.pk}).content.decode()
    assert "碳汇能力巩固提升行动" in html
    assert "全区森林覆盖率" in html and "高炉工序单位产品能耗" not in html


def test_area_page_lists_tasks_and_targets(computed, office_client):
    html = office_client.get(reverse("dashboard:area-detail", args=[computed.code, 6])).content.decode()
    assert "提升生态系统碳汇能力" in html and "全区森林覆盖率" in html


@pytest.mark.parametrize("size", [(2, 3, 0, 0), (8, 10, 3, 6)])
def test_overview_and_area_queries_do_not_grow_with_the_plan(
    office_client, period, django_assert_max_num_queries, size
):
    """Bigger plan, more plans beside it and more quarters: the same number of queries per page."""
    import datetime as dt

    from tasks.models import ReportingPeriod

    areas, tasks, other_plans, extra_quarters = size
    plan = build_plan(areas=areas, tasks_per_area=tasks)
    for _ in range(other_plans):
        services.recompute_plan(build_plan(areas=areas, tasks_per_area=tasks))
    for back in range(1, extra_quarters + 1):
        day = period.opens_on - dt.timedelta(days=92 * back)
        ReportingPeriod.objects.create(
            year=day.year - 5, quarter=(back % 4) + 1, opens_on=day, due_on=day + dt.timedelta(days=40)
        )
    services.recompute_plan(plan)
    for url, limit in [
        (reverse("dashboard:overview", args=[plan.code]), 24),
        (reverse("dashboard:area-detail", args=[plan.code, 1]), 14),
        (reverse("dashboard:plan-detail", args=[plan.code]), 14),
        (reverse("dashboard:target-list", args=[plan.code]), 12),
    ]:
        with django_assert_max_num_queries(limit):
            assert office_client.get(url).status_code == 200


def test_links_keep_the_chosen_quarter(computed, office_client, period):
    from tasks.models import ReportingPeriod

    earlier = ReportingPeriod.objects.create(
        year=period.year - 1,
        quarter=4,
        opens_on=period.opens_on.replace(year=period.year - 1),
        due_on=period.due_on.replace(year=period.year - 1),
    )
    services.recompute_plan(computed)
    html = office_client.get(
        reverse("dashboard:overview", args=[computed.code]), {"period": earlier.pk}
    ).content.decode()
    assert f"/plans/{computed.code}/areas/6/?period={earlier.pk}" in html
    area_page = office_client.get(reverse("dashboard:area-detail", args=[computed.code, 6]), {"period": earlier.pk})
    assert str(earlier) in area_page.content.decode()


def test_cached_overview_changes_when_a_report_is_submitted(computed, office_client, report_a, dept_a_user):
    import re

    from tasks import services as reporting
    from tasks.models import QuarterlyReport
    from tests.tasks.test_smoke import complete_data

    url = reverse("dashboard:overview", args=[computed.code])

    def submitted_count():
        html = office_client.get(url).content.decode()
        return int(re.search(r'id="reports-submitted">(\d+)<', html).group(1))

    before = submitted_count()
    report = QuarterlyReport.objects.get(pk=report_a.pk)
    tasks, indicators = complete_data(report)
    reporting.save_draft(
        report=report, by=dept_a_user, version=report.version, task_data=tasks, indicator_data=indicators
    )
    reporting.submit_report(report=QuarterlyReport.objects.get(pk=report.pk), by=dept_a_user)
    assert submitted_count() == before + 1


def test_cached_overview_survives_another_plans_recompute_but_not_its_own(computed, office_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("dashboard:overview", args=[computed.code])
    office_client.get(url)  # fills the cache

    def queries_of_a_visit():
        with CaptureQueriesContext(connection) as captured:
            assert office_client.get(url).status_code == 200
        return len(captured)

    hit = queries_of_a_visit()
    other = build_plan(areas=1, tasks_per_area=1)
    services.recompute_plan(other)
    assert queries_of_a_visit() == hit  # another plan's recompute leaves this page's cache alone

    services.recompute_plan(computed, force=True)
    assert queries_of_a_visit() > hit  # its own recompute renders it again


def test_an_approval_in_another_plan_keeps_this_plans_cached_overview(computed, office_client, period, report_a):
    """Issue 18: an approval anywhere used to clear every plan's overview (the key held the newest run of any plan)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from results.models import ComputationRun
    from tasks.models import QuarterlyReport, ReportStatus

    url = reverse("dashboard:overview", args=[computed.code])
    office_client.get(url)  # fills the cache

    def queries_of_a_visit():
        with CaptureQueriesContext(connection) as captured:
            assert office_client.get(url).status_code == 200
        return len(captured)

    hit = queries_of_a_visit()
    other = build_plan(areas=1, tasks_per_area=1)
    unit = other.indicators.first().reporting_department
    elsewhere = QuarterlyReport.objects.create(plan=other, department=unit, period=period, status=ReportStatus.APPROVED)
    services.recompute_for_report(elsewhere)
    assert ComputationRun.objects.filter(plan=other, kind="incremental", finished_at__isnull=False).exists()
    assert queries_of_a_visit() == hit

    QuarterlyReport.objects.filter(pk=report_a.pk).update(status=ReportStatus.APPROVED)  # keeps updated_at
    services.recompute_for_report(QuarterlyReport.objects.get(pk=report_a.pk))
    assert queries_of_a_visit() > hit  # an approval in its own plan renders it again


def test_cached_overview_follows_a_change_of_definitions_through_the_nightly_run(computed, office_client):
    """A definition (here a target's value) reaches the results through the nightly run, which recomputes the plan
    whose definitions changed and passes over the others; the key follows the plan's own newest run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from indicators.models import Target

    url = reverse("dashboard:overview", args=[computed.code])
    office_client.get(url)

    def queries_of_a_visit():
        with CaptureQueriesContext(connection) as captured:
            assert office_client.get(url).status_code == 200
        return len(captured)

    hit = queries_of_a_visit()
    assert services.recompute_plans([computed]).skipped == 1  # nothing changed: no new run, the page stays cached
    assert queries_of_a_visit() == hit

    target = Target.objects.filter(indicator__plan=computed, value__isnull=False).first()
    Target.objects.filter(pk=target.pk).update(value=target.value + 1)
    assert services.recompute_plans([computed]).recomputed == 1
    assert queries_of_a_visit() > hit
