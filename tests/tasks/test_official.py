"""The office's official figures page: one figure by the form, or the bureau's table checked cell by cell, shown as
a preview and recorded only on confirmation."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from indicators.models import Indicator
from tasks.models import IndicatorValue
from tasks.official_table import HEADERS
from tests.results import test_services as recompute

pytestmark = pytest.mark.django_db

history = recompute.history  # three approved quarters of forest coverage, 2024 Q1-Q3

PAGE = "tasks:official-figures"


def xlsx(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.title = "统计数据"
    for row in [HEADERS, *rows]:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("2024年林业统计.xlsx", out.getvalue())


def csv_file(rows) -> SimpleUploadedFile:
    out = io.StringIO()
    csv.writer(out).writerows([HEADERS, *rows])
    return SimpleUploadedFile("统计.csv", out.getvalue().encode("utf-8-sig"))


def test_a_bad_cell_is_named_in_chinese_and_nothing_is_recorded(office_client, history):
    table = xlsx(
        [
            ("forest-coverage", "2024Q3", "约8.1", "核实", "区统计局", "林业统计年报", "2025-03-20"),
            ("森林覆盖率（虚构）", "2024Q3", 8.1, "终稿", "区统计局", "", "2025-03-20"),
        ]
    )
    response = office_client.post(reverse("tasks:official-upload"), {"table": table})
    html = response.content.decode()
    assert response.status_code == 200
    assert "未记录任何数据" in html
    assert "第 2 行" in html or ">2<" in html
    assert "“约8.1”含有文字或单位" in html
    assert "不是本方案的指标" in html and "请填写“初步”或“核实”" in html
    assert not IndicatorValue.objects.official().exists()


def test_a_clean_table_is_previewed_then_recorded_on_confirmation(
    plan, office_client, history, django_capture_on_commit_callbacks
):
    table = csv_file([("forest-coverage", "2024Q3", "8.1", "核实", "区统计局", "宁河统字〔2025〕3号", "2025-03-20")])
    response = office_client.post(reverse("tasks:official-upload"), {"table": table})
    html = response.content.decode()
    assert 'id="upload-preview"' in html and "宁河统字〔2025〕3号" in html
    assert not IndicatorValue.objects.official().exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(reverse("tasks:official-confirm"))
    assert response.status_code == 302
    row = IndicatorValue.objects.official().get()
    assert (row.kind, row.value, row.source_title, row.reason) == (
        "final",
        Decimal("8.1"),
        "宁河统字〔2025〕3号",
        "上传的表格 统计.csv",
    )
    assert recompute.coverage_result(plan, history[-1]).status == "achieved"
    assert office_client.post(reverse("tasks:official-confirm")).status_code == 302  # nothing left to record
    assert IndicatorValue.objects.official().count() == 1


def test_the_form_records_one_figure(plan, office_client, history):
    coverage = Indicator.objects.get(plan=plan, code="forest-coverage")
    data = {
        "indicator": coverage.pk,
        "period": history[-1].pk,
        "kind": "provisional",
        "value": "８．０",
        "source_issuer": "区统计局",
        "source_title": "2024年统计快报",
        "source_date": "2025-01-20",
    }
    assert office_client.post(reverse(PAGE), data).status_code == 302
    assert IndicatorValue.objects.official().get().value == Decimal("8.0")
    page = office_client.get(reverse(PAGE)).content.decode()
    assert "2024年统计快报" in page and "统计初步" in page


def test_the_form_refuses_a_figure_without_its_document(plan, office_client, history):
    coverage = Indicator.objects.get(plan=plan, code="forest-coverage")
    data = {
        "indicator": coverage.pk,
        "period": history[-1].pk,
        "kind": "final",
        "value": "8",
        "source_issuer": "区统计局",
    }
    response = office_client.post(reverse(PAGE), data)
    assert response.status_code == 200 and not IndicatorValue.objects.official().exists()


def test_a_unit_without_official_figures_may_not_open_the_page(dept_a_client, plan):
    assert dept_a_client.get(reverse(PAGE)).status_code == 403


def test_the_empty_table_has_the_headers(office_client, plan):
    response = office_client.get(reverse("tasks:official-template"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert tuple(c.value for c in sheet[1]) == HEADERS
