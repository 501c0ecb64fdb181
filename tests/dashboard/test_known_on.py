"""The targets page and an indicator's page as known on a day (?known_on=YYYY-MM-DD): the statuses and figures of
that day's versions, a banner saying so with the way back, and a bad day refused in words, never a 500."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from indicators.models import Indicator
from tests.api import test_figures as figures_api
from tests.evaluation.conftest import demo_plan, media  # noqa: F401  (fixtures: the demo's history)
from tests.results import test_services as recompute

pytestmark = pytest.mark.django_db

history = recompute.history  # forest coverage 7.0, 7.4, 7.8 approved today for 2024 Q1-Q3
released = figures_api.released


@pytest.fixture
def known_later(released):
    """The API tests' release (统计核实 8.1 for 2024 Q3, recorded two days after the unit's 7.8 was approved today,
    which achieves the target 8.01), read three days from now so both days are past; yields the day of approval."""
    today = timezone.localdate()
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        yield today


def row(html, result):
    match = re.search(rf'<tr id="target-{result.target_id}">(.*?)</tr>', html, re.S)
    assert match, "the target's row is missing"
    return match[1]


def test_the_targets_page_shows_the_statuses_known_on_the_day_with_a_banner_and_a_way_back(
    plan, history, known_later, office_client
):
    result = recompute.coverage_result(plan, history[-1])
    url = reverse("dashboard:target-list", args=[plan.code])
    now = office_client.get(url).content.decode()
    assert "tstatus-achieved" in row(now, result) and "按 " not in now

    day = known_later.isoformat()
    then = office_client.get(url, {"known_on": day}).content.decode()
    assert f"按 {day} 已知数据" in then and "2024年第3季度" in then
    assert "tstatus-on_track" in row(then, result) and "7.8" in row(then, result)
    assert f'href="{url}"' in then  # back to the current figures
    assert f"?known_on={day}" in row(then, result)  # the indicator's page opens on the same day

    after_release = (known_later + dt.timedelta(days=2)).isoformat()
    assert "tstatus-achieved" in row(office_client.get(url, {"known_on": after_release}).content.decode(), result)


def test_the_indicator_page_shows_the_figures_known_on_the_day(plan, known_later, office_client):
    indicator = Indicator.objects.get(plan=plan, code="forest-coverage")
    url = reverse("dashboard:indicator-detail", args=[plan.code, indicator.pk])
    now = office_client.get(url).content.decode()
    assert 'id="official-values"' in now and "8.1 %" in now

    then = office_client.get(url, {"known_on": known_later.isoformat()}).content.decode()
    assert f"按 {known_later.isoformat()} 已知数据" in then
    assert 'id="official-values"' not in then  # the bureau's figure was not known yet
    assert "tstatus-on_track" in then and "tstatus-achieved" not in then
    assert f"自 {known_later.isoformat()} 起已知" in then  # each reported version says since when it was known


@pytest.mark.parametrize(
    ("known_on", "message"),
    [("昨天", "日期请写成 YYYY-MM-DD"), ("2026-02-30", "日期请写成 YYYY-MM-DD"), ("2999-01-01", "晚于今天")],
)
def test_a_bad_day_is_refused_in_words_and_the_page_shows_the_current_figures(
    plan, history, office_client, known_on, message
):
    indicator = Indicator.objects.get(plan=plan, code="forest-coverage")
    for url in (
        reverse("dashboard:target-list", args=[plan.code]),
        reverse("dashboard:indicator-detail", args=[plan.code, indicator.pk]),
    ):
        response = office_client.get(url, {"known_on": known_on})
        html = response.content.decode()
        assert response.status_code == 200
        assert message in html and "known-on-banner" not in html


def test_the_api_refuses_a_future_day_with_the_same_words(plan, history, office_user):
    from tests.api.conftest import token_client

    response = token_client(office_user).get(reverse("api:target-result-list"), {"known_on": "2999-01-01"})
    assert response.status_code == 400
    assert "晚于今天" in str(response.data["known_on"])


@pytest.fixture(params=["three quarters of one indicator", "the demo's ten quarters of every indicator"])
def figures_of_some_size(request, plan):
    if request.param.startswith("three"):
        request.getfixturevalue("history")
    else:
        request.getfixturevalue("demo_plan")
    return plan


def test_the_pages_read_as_known_on_a_day_cost_the_same_queries_whatever_the_data(
    figures_of_some_size, office_client, django_assert_max_num_queries
):
    plan = figures_of_some_size
    indicator = Indicator.objects.get(plan=plan, code="forest-coverage")
    day = {"known_on": timezone.localdate().isoformat()}
    for url, limit in (
        (reverse("dashboard:target-list", args=[plan.code]), 12),
        (reverse("dashboard:indicator-detail", args=[plan.code, indicator.pk]), 16),
    ):
        with django_assert_max_num_queries(limit):
            assert "known-on-banner" in office_client.get(url, day).content.decode()


def test_the_indicator_chart_and_comparison_follow_the_day(plan, known_later, office_client):
    """The bureau's 8.1 is charted and written beside the unit's 7.8 once it is known, and neither before."""
    import json

    indicator = Indicator.objects.get(plan=plan, code="forest-coverage")
    url = reverse("dashboard:indicator-detail", args=[plan.code, indicator.pk])

    def page(**params):
        response = office_client.get(url, params)
        chart = json.loads(response.context["chart_json"])
        names = [trace.get("name", "") for trace in chart["data"]]
        return response.content.decode(), names

    now, traces_now = page()
    assert "部门报送 7.8 %，统计核实 8.1 %" in now
    assert any("核实" in name for name in traces_now)

    then, traces_then = page(known_on=known_later.isoformat())
    assert "统计核实 8.1" not in then
    assert not any("核实" in name for name in traces_then)
