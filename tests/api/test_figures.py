"""The API marks each figure's kind and reads results and values as they were known on a day (?known_on=)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from indicators.models import Indicator
from tasks.official import OfficialEntry, record_official_figures
from tests.api.conftest import token_client
from tests.results import test_services as recompute

pytestmark = pytest.mark.django_db

history = recompute.history  # three approved quarters of forest coverage, 2024 Q1-Q3


@pytest.fixture
def released(plan, history, office_user, django_capture_on_commit_callbacks):
    """A final figure of 8.1 for 2024 Q3, recorded two days after the department's 7.8 was approved (today)."""
    entry = OfficialEntry(
        Indicator.objects.get(plan=plan, code="forest-coverage"),
        history[-1],
        "final",
        Decimal("8.1"),
        "区统计局",
        "年报",
    )
    later = timezone.now() + dt.timedelta(days=2)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        record_official_figures(entries=[entry], by=office_user)
    return history


def coverage_row(response, plan, period):
    target = recompute.coverage_result(plan, period).target
    return next(r for r in response.data["results"] if r["target"] == target.pk)


def test_results_say_which_figure_counted_and_the_others(plan, released, office_user):
    response = token_client(office_user).get(reverse("api:target-result-list"), {"as_of": "2024Q3"})
    row = coverage_row(response, plan, released[-1])
    assert (row["status"], row["latest_value"], row["latest_kind"]) == ("achieved", 8.1, "final")
    assert row["figures_beside"] == "部门报送 7.8 %，统计核实 8.1 %"


def test_results_as_known_on_a_day_before_the_release(plan, released, office_user):
    today = timezone.localdate().isoformat()
    client = token_client(office_user)
    response = client.get(reverse("api:target-result-list"), {"as_of": "2024Q3", "known_on": today})
    row = coverage_row(response, plan, released[-1])
    assert (row["status"], row["latest_value"], row["latest_kind"]) == ("on_track", 7.8, "reported")
    bad = client.get(reverse("api:target-result-list"), {"known_on": "昨天"})
    assert bad.status_code == 400


def test_values_carry_their_kind_and_document(released, office_user):
    client = token_client(office_user)
    values = client.get(reverse("api:value-list"), {"as_of": "2024Q3", "kind": "final"}).data["results"]
    assert [(v["kind"], v["value"], v["source_title"], v["department"]) for v in values] == [
        ("final", "8.1000", "年报", None)
    ]
    today = timezone.localdate().isoformat()
    assert not client.get(reverse("api:value-list"), {"kind": "final", "known_on": today}).data["results"]
    reported = client.get(reverse("api:value-list"), {"as_of": "2024Q3", "known_on": today}).data["results"]
    assert {v["kind"] for v in reported} == {"reported"}
