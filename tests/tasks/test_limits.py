"""One set of field limits (tasks.limits) applied by the web form, the workbook and the API alike."""

import pytest

from tasks import services
from tasks.forms import CommentForm, IndicatorValueForm, TaskUpdateForm
from tasks.limits import FIELD_LIMITS
from tasks.models import QuarterlyReport, ReportStatus, TaskUpdate
from tests.tasks.test_views import form_data, task_id, url

pytestmark = pytest.mark.django_db


def test_every_text_field_of_form_and_api_takes_its_limit_from_the_one_table(report_a):
    from api.report_serializers import CommentSerializer, IndicatorValueInput, TaskUpdateInput

    update, row = report_a.task_updates.first(), report_a.indicator_values.select_related("indicator").first()
    forms = [TaskUpdateForm(update=update, role="lead"), IndicatorValueForm(row=row, last=None), CommentForm()]
    serializers = [TaskUpdateInput(), IndicatorValueInput(), CommentSerializer()]
    for holder in [*(f.fields for f in forms), *(s.fields for s in serializers)]:
        for name, field in holder.items():
            if name in FIELD_LIMITS:
                assert field.max_length == FIELD_LIMITS[name], name


def test_the_web_form_refuses_a_million_characters_and_keeps_what_is_stored(report_a, dept_a_client):
    pk = task_id(report_a, "6.2")
    huge = "x" * 1_000_000  # 1 MB, within the request size limit

    response = dept_a_client.post(url(report_a), form_data(report_a, tasks={pk: {"work_done": huge}}))

    assert response.status_code == 200
    assert "20000" in response.content.decode()
    assert TaskUpdate.objects.get(report=report_a, task_id=pk).work_done == ""
    assert QuarterlyReport.objects.get(pk=report_a.pk).version == report_a.version


def test_the_limit_is_checked_by_the_service_whoever_calls_it(report_a, dept_a_user):
    pk = task_id(report_a, "6.2")
    with pytest.raises(services.ReportErrors) as refused:
        services.save_draft(
            report=report_a,
            by=dept_a_user,
            version=report_a.version,
            task_data={pk: {"problems": "x" * (FIELD_LIMITS["problems"] + 1)}},
            indicator_data={},
        )
    assert "problems" in refused.value.tasks[pk]


def test_control_characters_are_refused_since_no_spreadsheet_cell_can_hold_them(report_a, dept_a_client):
    pk = task_id(report_a, "6.2")
    response = dept_a_client.post(url(report_a), form_data(report_a, tasks={pk: {"work_done": "进展\x0b良好"}}))
    assert response.status_code == 200
    assert TaskUpdate.objects.get(report=report_a, task_id=pk).work_done == ""


def test_an_over_long_review_comment_is_refused(report_a, office_user):
    QuarterlyReport.objects.filter(pk=report_a.pk).update(status=ReportStatus.SUBMITTED)
    report = QuarterlyReport.objects.get(pk=report_a.pk)
    with pytest.raises(services.ValidationError):
        services.return_report(report=report, by=office_user, comment="改" * (FIELD_LIMITS["comment"] + 1))
    assert QuarterlyReport.objects.get(pk=report_a.pk).status == ReportStatus.SUBMITTED
