"""Quality flags of a submitted report (results.quality): each flag fires where it should and not elsewhere,
they are computed on the submit without ever blocking it, and a recompute keeps what the office dismissed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from indicators.models import Target
from progress.authority import FigureKind
from progress.maths import Status
from results import quality
from results.models import TargetResult
from tasks import services
from tasks.models import IndicatorValue, QualityFlag, QuarterlyReport, ReportingPeriod, ReportStatus, TaskUpdate
from tasks.official import OfficialEntry, record_official_figures
from tests.factories import update_target_results, write_target_result
from tests.tasks.test_smoke import complete_data

pytestmark = pytest.mark.django_db

Kind = QualityFlag.Kind
FOREST_TASK, FOREST_COVER = "6.2", "全区森林覆盖率"


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def earlier_period(year: int, quarter: int) -> ReportingPeriod:
    end = dt.date(year, 3 * quarter, 28)
    return ReportingPeriod.objects.create(
        year=year, quarter=quarter, opens_on=end - dt.timedelta(days=20), due_on=end + dt.timedelta(days=12)
    )


def approved_quarter(report_a, year, quarter, *, value=None, percent=None, work_done="") -> QuarterlyReport:
    """An approved report of 七里海管委会 for an earlier quarter, written as rows (the history it is compared with)."""
    report = QuarterlyReport.objects.create(
        plan=report_a.plan,
        department=report_a.department,
        period=earlier_period(year, quarter),
        status=ReportStatus.APPROVED,
        approved_at=timezone.now(),
    )
    task = forest_update(report_a).task
    TaskUpdate.objects.create(
        report=report, task=task, status="in_progress", percent_complete=percent, work_done=work_done
    )
    indicator = report_a.indicator_values.get(indicator__name=FOREST_COVER).indicator
    IndicatorValue.objects.create(report=report, indicator=indicator, value=value)
    return report


def submit(report, by, *, forest_value=8, **forest_task):
    """Fill every row (as complete_data does), with the forest task and forest coverage as given, and submit."""
    report = QuarterlyReport.objects.get(pk=report.pk)
    tasks, indicators = complete_data(report)
    tasks[forest_update(report).task_id].update(forest_task)
    cover = report.indicator_values.get(indicator__name=FOREST_COVER)
    indicators[cover.indicator_id].update(value=Decimal(str(forest_value)), change_explanation="林地清查后口径调整。")
    services.save_draft(report=report, by=by, version=report.version, task_data=tasks, indicator_data=indicators)
    return services.submit_report(report=QuarterlyReport.objects.get(pk=report.pk), by=by)


def forest_update(report) -> TaskUpdate:
    return next(u for u in report.task_updates.select_related("task__area") if u.task.code == FOREST_TASK)


def flags(report, kind=None):
    rows = QualityFlag.objects.filter(report=report).select_related("task", "indicator")
    return list(rows.filter(kind=kind) if kind else rows)


def lagging_forest_target(report_a, status=Status.OFF_TRACK) -> Target:
    target = Target.objects.get(task=forest_update(report_a).task, indicator__name=FOREST_COVER, period="2025")
    write_target_result(target, report_a.period, status=status)
    return target


# --- a task on course while its targets lag ---------------------------------------------------------------


def test_completed_task_whose_target_is_off_track_is_flagged(report_a, dept_a_user):
    lagging_forest_target(report_a)
    report = submit(report_a, dept_a_user, status="completed", percent_complete=100)

    [flag] = flags(report, Kind.TARGETS_LAG)
    assert flag.task.code == FOREST_TASK
    assert flag.sentence == "报送为“已完成”，但“全区森林覆盖率（到2025年）”截至2026年第1季度进展滞后。"


def test_task_reported_behind_or_with_targets_on_track_is_not_flagged(report_a, dept_a_user):
    target = lagging_forest_target(report_a)
    report = submit(report_a, dept_a_user, status="behind")  # the unit says so itself
    assert flags(report, Kind.TARGETS_LAG) == []

    update_target_results(TargetResult.objects.filter(target=target), status=Status.ON_TRACK)
    quality.compute_flags(report=report)
    assert flags(report, Kind.TARGETS_LAG) == []


def test_a_completed_task_whose_target_missed_its_date_says_so(report_a, dept_a_user):
    lagging_forest_target(report_a, Status.MISSED_BY_DATE)
    report = submit(report_a, dept_a_user, status="completed", percent_complete=100)
    [flag] = flags(report, Kind.TARGETS_LAG)
    assert "到期未达标" in flag.sentence


def test_work_in_progress_after_a_missed_date_is_not_flagged(report_a, dept_a_user):
    """The verdict is known; going on towards the next target is no contradiction."""
    lagging_forest_target(report_a, Status.MISSED_BY_DATE)
    report = submit(report_a, dept_a_user, status="in_progress")
    assert flags(report, Kind.TARGETS_LAG) == []


def test_work_in_progress_while_a_target_is_off_track_is_flagged(report_a, dept_a_user):
    lagging_forest_target(report_a)
    report = submit(report_a, dept_a_user, status="in_progress")
    [flag] = flags(report, Kind.TARGETS_LAG)
    assert flag.sentence.startswith("报送为“推进中”")


def test_only_the_latest_result_up_to_the_quarter_counts(report_a, dept_a_user):
    target = lagging_forest_target(report_a)  # off track as of the report's quarter ...
    later = ReportingPeriod.objects.create(
        year=report_a.period.year, quarter=2, opens_on=report_a.period.opens_on, due_on=report_a.period.due_on
    )
    write_target_result(target, later, status=Status.ON_TRACK)
    report = submit(
        report_a, dept_a_user, status="completed", percent_complete=100
    )  # ... a later quarter's result does not hide it
    assert len(flags(report, Kind.TARGETS_LAG)) == 1


# --- a percent that went down -------------------------------------------------------------------------------


def test_percent_lower_than_last_quarter_is_flagged(report_a, dept_a_user):
    approved_quarter(report_a, 2025, 4, value=7, percent=60)
    report = submit(report_a, dept_a_user, percent_complete=40)
    [flag] = flags(report, Kind.PERCENT_DOWN)
    assert flag.sentence == "完成百分比由2025年第4季度的60%降至40%。"


def test_percent_equal_or_higher_is_not_flagged(report_a, dept_a_user):
    approved_quarter(report_a, 2025, 4, value=7, percent=50)
    report = submit(report_a, dept_a_user, percent_complete=50)
    assert flags(report, Kind.PERCENT_DOWN) == []


# --- a value far outside its trend ----------------------------------------------------------------------------


def trend_history(report_a):
    for quarter, value in zip((1, 2, 3, 4), ("7.0", "7.1", "7.2", "7.3"), strict=True):
        approved_quarter(report_a, 2025, quarter, value=Decimal(value))


def test_value_far_from_the_trend_is_flagged(report_a, dept_a_user):
    trend_history(report_a)
    report = submit(report_a, dept_a_user, forest_value="9.5")
    [flag] = flags(report, Kind.OFF_TREND)
    assert flag.indicator.name == FOREST_COVER
    assert flag.sentence == ("9.5%远离该指标的近期走势：按最近4个审核通过的数值，预计约为7.4，上下浮动不超过0.3。")


def test_value_on_the_trend_or_without_enough_history_is_not_flagged(report_a, dept_a_user):
    trend_history(report_a)
    report = submit(report_a, dept_a_user, forest_value="7.45")
    assert flags(report, Kind.OFF_TREND) == []

    QuarterlyReport.objects.filter(period__year=2025, period__quarter=1).delete()  # three values: no verdict
    IndicatorValue.objects.filter(report=report, indicator__name=FOREST_COVER).update(value=Decimal("50"))
    quality.compute_flags(report=report)
    assert flags(report, Kind.OFF_TREND) == []


# --- the same text as last quarter --------------------------------------------------------------------------------

LAST_TEXT = "完成七里海湿地修复区植树造林1200亩，补植补造林木2.3万株，开展森林抚育巡查四次。"


def test_text_nearly_the_same_as_last_quarter_is_flagged(report_a, dept_a_user):
    approved_quarter(report_a, 2025, 4, value=7, work_done=LAST_TEXT)
    report = submit(report_a, dept_a_user, work_done=LAST_TEXT.replace("四次", "五次"))
    [flag] = flags(report, Kind.REPEATED_TEXT)
    assert flag.sentence.startswith("本季度工作进展与2025年第4季度的文字")
    assert "已核对" not in flag.sentence


def test_new_text_is_not_flagged(report_a, dept_a_user):
    approved_quarter(report_a, 2025, 4, value=7, work_done=LAST_TEXT)
    report = submit(report_a, dept_a_user, work_done="新建口袋公园两处，完成退化林修复800亩，森林防火检查全覆盖。")
    assert flags(report, Kind.REPEATED_TEXT) == []


def test_text_the_unit_confirmed_as_still_true_is_flagged_saying_so(plan, period, dept_a_user):
    """A new quarter starts from the last approved one; ticking 已核对 keeps the text and still earns a look."""
    department = dept_a_user.membership.department
    before = earlier_period(period.year - 1, 4)
    old = services.start_report(plan=plan, department=department, period=before, by=dept_a_user)
    QuarterlyReport.objects.filter(pk=old.pk).update(status=ReportStatus.APPROVED)
    old.task_updates.update(status="in_progress", percent_complete=50, work_done=LAST_TEXT, next_steps="继续。")
    report = services.start_report(plan=plan, department=department, period=period, by=dept_a_user)
    tasks, indicators = complete_data(report)
    tasks = {task_id: {"confirm_carried": True} for task_id in tasks}
    services.save_draft(
        report=report, by=dept_a_user, version=report.version, task_data=tasks, indicator_data=indicators
    )
    services.submit_report(
        report=QuarterlyReport.objects.get(pk=report.pk), by=dept_a_user, carried_must_be_confirmed=True
    )

    repeated = flags(report, Kind.REPEATED_TEXT)
    assert len(repeated) == report.task_updates.count()
    assert all("已核对" in flag.sentence for flag in repeated)


# --- far from the official figure ---------------------------------------------------------------------------------


def test_the_newest_official_figure_is_the_final_one_of_the_latest_quarter(report_a, dept_a_user, office_user):
    assert quality.latest_official_figures(report_a) == {}
    cover = report_a.indicator_values.get(indicator__name=FOREST_COVER).indicator
    earlier = earlier_period(2025, 4)

    def release(period, kind, value, title):
        entry = OfficialEntry(
            indicator=cover,
            period=period,
            kind=kind,
            value=Decimal(value),
            source_issuer="区统计局",
            source_title=title,
            source_date=dt.date(2026, 3, 20),
        )
        record_official_figures(entries=[entry], by=office_user)

    release(earlier, FigureKind.FINAL, "6.0", "2025年统计年报")
    release(report_a.period, FigureKind.PROVISIONAL, "6.4", "统计快报")
    release(report_a.period, FigureKind.FINAL, "6.5", "统计年报")
    figure = quality.latest_official_figures(report_a)[cover.pk]
    assert figure.value == Decimal("6.5")
    assert "统计年报" in figure.source and "快报" not in figure.source

    report = submit(report_a, dept_a_user, forest_value="8")
    [flag] = flags(report, Kind.FAR_FROM_OFFICIAL)
    assert "6.5" in flag.sentence


def test_figure_far_from_an_official_one_is_flagged_and_a_close_one_is_not(report_a, dept_a_user, monkeypatch):
    cover = report_a.indicator_values.get(indicator__name=FOREST_COVER).indicator_id
    official = {cover: quality.OfficialFigure(value=Decimal("6.5"), source="区统计局 2026年统计快报")}
    monkeypatch.setattr(quality, "latest_official_figures", lambda report: official)

    report = submit(report_a, dept_a_user, forest_value="8")
    [flag] = flags(report, Kind.FAR_FROM_OFFICIAL)
    assert flag.sentence == "报送值8%与最新统计数据6.5（区统计局 2026年统计快报）相差23.1%。"

    IndicatorValue.objects.filter(report=report, indicator_id=cover).update(value=Decimal("6.8"))
    quality.compute_flags(report=report)
    assert flags(report, Kind.FAR_FROM_OFFICIAL) == []


# --- when they are computed, and what a recompute keeps -------------------------------------------------------------


def test_flags_are_computed_when_the_report_reaches_the_office_after_sign_off(report_a, dept_a_user, dept_a_head):
    approved_quarter(report_a, 2025, 4, value=7, percent=60)
    department = report_a.department
    department.requires_head_signoff = True
    department.save()
    report = submit(report_a, dept_a_user, percent_complete=40)
    assert report.status == ReportStatus.AWAITING_SIGNOFF and flags(report) == []

    services.sign_off_report(report=report, by=dept_a_head, approve=True)
    assert [f.kind for f in flags(report)] == [Kind.PERCENT_DOWN]


def test_a_failing_computation_never_blocks_the_submission(report_a, dept_a_user, monkeypatch):
    def broken(report):
        raise RuntimeError("boom")

    monkeypatch.setattr(quality, "find", broken)
    report = submit(report_a, dept_a_user)
    assert QuarterlyReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
    assert flags(report) == []


def test_recompute_keeps_a_dismissal_while_the_flag_says_the_same(report_a, dept_a_user, office_user):
    approved_quarter(report_a, 2025, 4, value=7, percent=60)
    report = submit(report_a, dept_a_user, percent_complete=40)
    [flag] = flags(report)
    services.dismiss_flag(flag=flag, by=office_user, reason="口径调整，已电话核实。")

    quality.compute_flags(report=report)
    [same] = flags(report)
    assert same.pk == flag.pk and not same.is_open and same.dismissal_reason == "口径调整，已电话核实。"

    TaskUpdate.objects.filter(pk=forest_update(report).pk).update(percent_complete=30)
    quality.compute_flags(report=report)
    [changed] = flags(report)
    assert changed.is_open and changed.detail["after"] == 30

    TaskUpdate.objects.filter(pk=forest_update(report).pk).update(percent_complete=70)
    quality.compute_flags(report=report)
    assert flags(report) == []
