"""Every page that counts a quarter's reports counts them alike: the overview, the office's home, each
department's page, the API and the annual PDF's summary, at dates before and after the due date."""

import datetime as dt
import re
from collections import Counter

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from evaluation.models import AnnualEvaluation
from evaluation.snapshot import build_snapshot
from results.models import Rollup
from results.services import recompute_plan
from tasks.models import QuarterlyReport, ReportingPeriod, ReportStatus
from tasks.selectors import reporting_departments

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 4, 10)
SENT = {  # the unit's position among the owing units: (day its report first reached the office, status now)
    0: (dt.date(2026, 4, 2), ReportStatus.APPROVED),
    1: (dt.date(2026, 4, 9), ReportStatus.RETURNED),  # returned for changes: still sent on time
    2: (dt.date(2026, 4, 11), ReportStatus.SUBMITTED),  # a day late
    3: (None, ReportStatus.DRAFT),  # started, never sent
}
COUNT = re.compile(r'id="timeliness-(\w+)">(\d+)<')


def _at(day: dt.date):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@pytest.fixture
def quarter(plan, office_user):
    period = ReportingPeriod.objects.create(year=2026, quarter=1, opens_on=dt.date(2026, 3, 1), due_on=DUE)
    units = list(reporting_departments(plan))
    for position, (sent, status) in SENT.items():
        QuarterlyReport.objects.create(
            plan=plan,
            department=units[position],
            period=period,
            status=status,
            submitted_at=_at(sent) if sent else None,
            is_late=bool(sent and sent > DUE),
        )
    return period


def _headline(html: str) -> dict[str, int]:
    found = {code: int(n) for code, n in COUNT.findall(html)}
    assert set(found) == {"on_time", "late", "missing", "pending"}
    return found


@pytest.mark.parametrize(
    "today, expected",
    [
        (dt.date(2026, 4, 5), {"on_time": 1, "late": 0, "missing": 0, "pending": None}),  # before the due date
        (DUE, {"on_time": 2, "late": 0, "missing": 0, "pending": None}),  # the last day on time
        (dt.date(2026, 4, 12), {"on_time": 2, "late": 1, "missing": None, "pending": 0}),  # after it
    ],
)
def test_every_page_counts_the_quarters_reports_alike(plan, quarter, office_client, office_user, today, expected):
    units = list(reporting_departments(plan))
    rest = len(units) - sum(v for v in expected.values() if v)
    expected = {code: rest if n is None else n for code, n in expected.items()}
    with time_machine.travel(dt.datetime.combine(today, dt.time(15), tzinfo=dt.UTC), tick=False):
        office_client.force_login(office_user)  # a session from the session's own date may have expired by now
        recompute_plan(plan)
        overview = _headline(
            office_client.get(reverse("dashboard:overview", args=[plan.code]), {"period": quarter.pk}).content.decode()
        )
        office_home = _headline(office_client.get(reverse("tasks:home"), {"period": quarter.pk}).content.decode())
        pages = Counter()
        for unit in units:
            html = office_client.get(
                reverse("dashboard:department-detail", args=[plan.code, unit.pk]), {"period": quarter.pk}
            ).content.decode()
            pages[re.search(rf'data-period="{quarter.pk}">[^<]*<span[^>]*data-timeliness="(\w+)"', html)[1]] += 1
        api = office_client.get("/api/v1/results/timeliness/", {"as_of": "2026Q1", "page_size": 500}).json()
        snapshot = build_snapshot(AnnualEvaluation.objects.create(plan=plan, year=2026), today=today)
        rollups = Rollup.objects.filter(plan=plan, period=quarter, scope=Rollup.Scope.DEPARTMENT)

    assert overview == expected
    assert office_home == expected
    assert {code: pages[code] for code in expected} == expected
    assert api["count"] == len(units)
    assert {code: sum(1 for r in api["results"] if r["state"] == code) for code in expected} == expected
    assert snapshot["summary"]["reports"] == expected
    assert snapshot["quarters"] == [1]
    # The engine's running counts hold the quarters that are due, so a quarter not yet due is in none of them.
    engine = Counter()
    for row in rollups:
        engine.update(row.timeliness)
    assert {code: engine[code] for code in ("on_time", "late", "missing")} == (
        {code: expected[code] for code in ("on_time", "late", "missing")}
        if today > DUE
        else dict.fromkeys(("on_time", "late", "missing"), 0)
    )
