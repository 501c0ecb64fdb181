"""No code path changes a figure once it is known: the web form, the workbook, the API, the admin, a reopening and
official entries each write new versions, and every approved row keeps what it said, compared column by column."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import Indicator
from tasks import services
from tasks.models import FROZEN_FIELDS, IndicatorValue, QuarterlyReport
from tasks.official import OfficialEntry, record_official_figures
from tasks.spreadsheet import INDICATOR_SHEET, build_workbook, import_workbook
from tests.api.conftest import token_client
from tests.results import test_services as recompute
from tests.tasks.test_views import form_data

pytestmark = pytest.mark.django_db

history = recompute.history  # three approved quarters of forest coverage, 2024 Q1-Q3


def known_rows() -> dict[int, tuple]:
    rows = IndicatorValue.objects.filter(valid_from__isnull=False).values_list("pk", *FROZEN_FIELDS)
    return {pk: tuple(values) for pk, *values in rows}


def superseded() -> dict[int, tuple]:
    rows = IndicatorValue.objects.filter(superseded_at__isnull=False)
    return dict((pk, (at, by)) for pk, at, by in rows.values_list("pk", "superseded_at", "superseded_by"))


def reopen(report, office_user):
    services.reopen_report(report=QuarterlyReport.objects.get(pk=report.pk), by=office_user, reason="更正。")
    return QuarterlyReport.objects.get(pk=report.pk)


def approve(report, reporter, office_user):
    services.submit_report(report=QuarterlyReport.objects.get(pk=report.pk), by=reporter)
    services.approve_report(report=QuarterlyReport.objects.get(pk=report.pk), by=office_user)


def test_no_path_updates_a_known_figure_in_place(
    plan, history, dept_a_user, dept_a_client, office_user, office_client, admin_client
):
    coverage = Indicator.objects.get(plan=plan, code="forest-coverage")
    first = known_rows()
    assert len(first) >= 3
    q1, q2, q3 = (QuarterlyReport.objects.get(period=p) for p in history)

    # the web form, after the office reopened the report through its page
    office_client.post(reverse("tasks:report-action", args=[q1.pk, "reopen"]), {"comment": "更正森林面积。"})
    data = form_data(q1, indicators={coverage.pk: {"value": "7.1", "change_explanation": "更正。"}})
    assert dept_a_client.post(reverse("tasks:report-detail", args=[q1.pk]), data).status_code == 302
    approve(q1, dept_a_user, office_user)

    # the workbook
    q2 = reopen(q2, office_user)
    book = load_workbook(BytesIO(build_workbook(q2)))
    sheet = book[INDICATOR_SHEET]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == coverage.code:
            row[4].value = 7.5
            row[8].value = "按年报更正。"
    out = BytesIO()
    book.save(out)
    assert import_workbook(report=q2, file=out.getvalue(), by=dept_a_user).ok
    approve(q2, dept_a_user, office_user)

    # the API
    q3 = reopen(q3, office_user)
    body = {"version": q3.version, "indicators": [{"indicator": coverage.pk, "value": "7.7"}]}
    response = token_client(dept_a_user).post(reverse("api:report-save", args=[q3.pk]), body, format="json")
    assert response.status_code == 200, response.data
    approve(q3, dept_a_user, office_user)

    # the admin: figures are shown, never edited
    row = IndicatorValue.objects.filter(valid_from__isnull=False).first()
    change = reverse("admin:tasks_indicatorvalue_change", args=[row.pk])
    assert admin_client.get(change).status_code == 200
    admin_client.post(change, {"value": "1", "note": "改"})
    assert IndicatorValue.objects.get(pk=row.pk).value == row.value

    # official figures, recorded and then revised
    for value in ("7.9", "7.85"):
        entry = OfficialEntry(coverage, history[-1], "final", Decimal(value), "区统计局", f"年报{value}")
        record_official_figures(entries=[entry], by=office_user)

    after = known_rows()
    assert {pk: after[pk] for pk in first} == first  # every figure known before says exactly what it said
    stamps = superseded()
    assert set(first) <= set(stamps)  # each reported figure was superseded by a correction …
    assert all(IndicatorValue.objects.get(pk=pk).superseded_by.valid_from for pk in first)  # … which is known
    values = IndicatorValue.objects.filter(indicator=coverage).known().order_by("period__quarter", "kind")
    assert [(v.period.quarter, v.kind, v.value) for v in values] == [
        (1, "reported", Decimal("7.1")),
        (2, "reported", Decimal("7.5")),
        (3, "final", Decimal("7.85")),
        (3, "reported", Decimal("7.7")),
    ]
    assert len(after) == len(first) * 2 + 2  # every figure of the three reports again, and two official ones
