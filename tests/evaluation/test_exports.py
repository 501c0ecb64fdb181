"""The year's data as Excel and CSV: Chinese headers, one sheet per table, numbers and times typed."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import Target
from tasks.models import IndicatorValue, ReportStatus, TaskUpdate

pytestmark = pytest.mark.django_db


def _approved(model, plan, year):
    return model.objects.filter(report__plan=plan, report__period__year=year, report__status=ReportStatus.APPROVED)


def test_excel_has_a_sheet_per_table_with_chinese_headers_and_typed_cells(demo_plan, client, demo_office):
    client.force_login(demo_office)
    response = client.get(reverse("evaluation:export-excel", args=[demo_plan.code, 2025]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('2025.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["目标", "审核通过的数值", "任务进展"]

    targets, values, updates = (list(book[name].iter_rows(values_only=True)) for name in book.sheetnames)
    assert len(targets) - 1 == Target.objects.filter(indicator__plan=demo_plan).count()
    assert len(values) - 1 == _approved(IndicatorValue, demo_plan, 2025).count()
    assert len(updates) - 1 == _approved(TaskUpdate, demo_plan, 2025).count()

    header = values[0]
    assert header[:5] == ("指标", "单位", "年份", "季度", "数值")
    numbers = [row[4] for row in values[1:] if row[4] is not None]
    assert numbers and all(isinstance(v, int | float) for v in numbers)
    approved_at = header.index("审核时间")
    assert all(isinstance(row[approved_at], dt.datetime) for row in values[1:])
    assert "完成百分比" in updates[0] and "状态" in targets[0]


def test_filters_narrow_the_rows_like_the_dashboard(demo_plan, client, demo_office):
    client.force_login(demo_office)
    target = Target.objects.filter(indicator__plan=demo_plan, indicator__reporting_department__isnull=False).first()
    department = target.indicator.reporting_department_id
    url = reverse("evaluation:export-csv", args=[demo_plan.code, 2025, "targets"])
    response = client.get(url, {"department": department})
    assert response.content.startswith("\ufeff".encode())  # Excel reads the BOM as UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    expected = Target.objects.filter(indicator__plan=demo_plan, indicator__reporting_department_id=department).count()
    assert rows[0][0] == "指标" and len(rows) - 1 == expected


def test_unknown_table_is_404_and_units_cannot_export(demo_plan, client, demo_office):
    from django.contrib.auth import get_user_model

    client.force_login(demo_office)
    assert client.get(reverse("evaluation:export-csv", args=[demo_plan.code, 2025, "secrets"])).status_code == 404
    client.force_login(get_user_model().objects.get(username="dept01"))
    assert client.get(reverse("evaluation:export-excel", args=[demo_plan.code, 2025])).status_code == 403


def test_the_overview_offers_its_filtered_rows_for_export(demo_plan, client, demo_office):
    from results.models import TargetResult
    from tasks.models import ReportingPeriod

    client.force_login(demo_office)
    period = ReportingPeriod.objects.get(year=2025, quarter=2)
    query = {"period": period.pk, "status": "off_track"}
    page = client.get(reverse("dashboard:overview", args=[demo_plan.code]), query).content.decode()
    link = (
        reverse("evaluation:export-csv", args=[demo_plan.code, 2025, "targets"])
        + f"?period={period.pk}&amp;status=off_track"
    )
    assert link in page

    rows = list(csv.reader(io.StringIO(client.get(link.replace("&amp;", "&")).content.decode("utf-8-sig"))))
    expected = TargetResult.objects.filter(period=period, status="off_track", target__indicator__plan=demo_plan).count()
    assert expected and len(rows) - 1 == expected
    assert {row[rows[0].index("状态")] for row in rows[1:]} == {"滞后"}


def test_text_that_looks_like_a_formula_stays_text(demo_plan, client, demo_office):
    update = _approved(TaskUpdate, demo_plan, 2025).first()
    TaskUpdate.objects.filter(pk=update.pk).update(problems='=HYPERLINK("http://example.invalid","点此")')
    client.force_login(demo_office)
    book = load_workbook(
        io.BytesIO(client.get(reverse("evaluation:export-excel", args=[demo_plan.code, 2025])).content)
    )
    cells = [
        c for row in book["任务进展"].iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value
    ]
    assert len(cells) == 1 and cells[0].data_type == "s" and cells[0].value.startswith("'=")
    csv_text = client.get(reverse("evaluation:export-csv", args=[demo_plan.code, 2025, "updates"])).content.decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK" in csv_text


def test_the_overview_quarter_limits_values_and_updates_too(demo_plan, client, demo_office):
    from tasks.models import ReportingPeriod

    client.force_login(demo_office)
    q2 = ReportingPeriod.objects.get(year=2025, quarter=2)
    url = reverse("evaluation:export-csv", args=[demo_plan.code, 2025, "values"])
    rows = list(csv.reader(io.StringIO(client.get(url, {"period": q2.pk}).content.decode("utf-8-sig"))))
    quarter = rows[0].index("季度")
    assert {row[quarter] for row in rows[1:]} == {"1", "2"}
