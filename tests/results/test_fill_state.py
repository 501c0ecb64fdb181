"""Each plan's fill state (Zulip analytics' FillState): a full run marks its plan STARTED before the work and DONE
with its writes; a plan a crashed run left STARTED is recomputed in full, whatever its fingerprints say."""

import pytest

from results import services
from results.engine import run as engine_run
from results.engine import write
from results.fingerprints import ENGINE_VERSION
from results.models import ComputationRun, FillState, TargetResult
from tasks.models import ReportingPeriod
from tests.factories import update_target_results
from tests.results.test_services import coverage_result, history  # noqa: F401 (a fixture)

# Three quarters of 2024, each approved (the only quarters there are).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("history")]


def quarters():
    return list(ReportingPeriod.objects.chronological())


def latest_full_run():
    return ComputationRun.objects.filter(kind=ComputationRun.Kind.FULL).latest("pk")


def crash_after_targets(monkeypatch):
    """The run dies between its target series and its task series."""
    replace_changed = write.replace_changed

    def crash(layout, *args, **kwargs):
        if layout is write.TASKS:
            raise RuntimeError("worker lost")
        return replace_changed(layout, *args, **kwargs)

    monkeypatch.setattr(write, "replace_changed", crash)


def test_a_full_run_ends_done_with_the_engine_version_and_its_run(plan):
    services.recompute_plan(plan)

    state = FillState.objects.get(plan=plan)
    run = latest_full_run()
    assert (state.state, state.engine_version, state.run_id) == (FillState.State.DONE, ENGINE_VERSION, run.pk)
    assert run.started_at <= state.changed_at <= run.finished_at


def test_a_full_run_marks_its_plan_started_before_any_work(plan, monkeypatch):
    seen = []
    fill_plans = engine_run.bulk.fill_plans

    def watched(plans, quarters, today):
        state = FillState.objects.get(plan=plans[0])
        seen.append((state.state, state.run_id))
        return fill_plans(plans, quarters, today)

    monkeypatch.setattr(engine_run.bulk, "fill_plans", watched)
    services.recompute_plan(plan)

    assert seen == [(FillState.State.STARTED, latest_full_run().pk)]
    assert FillState.objects.get(plan=plan).state == FillState.State.DONE


def test_a_run_that_crashes_mid_plan_leaves_it_started(plan, monkeypatch):
    services.recompute_plan(plan)
    crash_after_targets(monkeypatch)

    with pytest.raises(RuntimeError):
        services.recompute_plan(plan, force=True)

    crashed = latest_full_run()
    state = FillState.objects.get(plan=plan)
    assert (state.state, state.run_id) == (FillState.State.STARTED, crashed.pk)
    assert crashed.finished_at is None and "worker lost" in crashed.error


def test_the_next_nightly_run_recomputes_a_crashed_plan_in_full_though_its_fingerprints_say_unchanged(
    plan, monkeypatch
):
    periods = quarters()
    services.recompute_plan(plan)
    assert services.recompute_plans([plan]).skipped == 1  # the fingerprints: nothing changed
    crash_after_targets(monkeypatch)
    with pytest.raises(RuntimeError):
        services.recompute_plan(plan, force=True)
    monkeypatch.undo()
    # What a crash in a run writing in several transactions could leave behind: a row half written.
    half_written = coverage_result(plan, periods[0])
    update_target_results(TargetResult.objects.filter(pk=half_written.pk), status="off_track", latest_value=None)

    outcome = services.recompute_plans([plan])

    assert (outcome.recomputed, outcome.skipped, outcome.resumed, outcome.from_later_quarter) == (1, 0, 1, 0)
    assert outcome.written == 1  # the half-written row, undone; every other row was already right
    resumed = latest_full_run()
    assert resumed.covered["periods"] == [str(p) for p in periods]  # every quarter, as `force` would
    assert (resumed.finished_at is not None, resumed.error) == (True, "")
    restored = coverage_result(plan, periods[0])
    assert (restored.status, restored.latest_value) == (half_written.status, half_written.latest_value)
    state = FillState.objects.get(plan=plan)
    assert (state.state, state.run_id, state.engine_version) == (FillState.State.DONE, resumed.pk, ENGINE_VERSION)
    assert services.recompute_plans([plan]).skipped == 1  # trusted again


def test_an_incremental_recompute_leaves_the_fill_state_alone(plan, monkeypatch):
    from tasks.models import QuarterlyReport

    services.recompute_plan(plan)
    crash_after_targets(monkeypatch)
    with pytest.raises(RuntimeError):
        services.recompute_plan(plan, force=True)
    monkeypatch.undo()

    services.recompute_for_report(QuarterlyReport.objects.get(period=quarters()[2]))

    assert FillState.objects.get(plan=plan).state == FillState.State.STARTED  # only a full run undoes the crash


def test_the_office_reads_the_fill_states_in_the_admin(plan, admin_client):
    services.recompute_plan(plan)

    page = admin_client.get("/admin/results/fillstate/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert page.status_code == 200
    text = page.content.decode()
    assert "方案结果计算状态" in text and "已完成" in text and str(plan) in text
    assert admin_client.get(f"/admin/results/fillstate/{FillState.objects.get().pk}/change/").status_code == 200


def test_the_recompute_command_says_how_many_crashed_plans_it_recomputed_in_full(plan, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    services.recompute_plan(plan)
    crash_after_targets(monkeypatch)
    with pytest.raises(RuntimeError):
        services.recompute_plan(plan, force=True)
    monkeypatch.undo()

    out = StringIO()
    call_command("recompute_progress", stdout=out, stderr=StringIO())

    assert "重算 1 个，输入未变跳过 0 个" in out.getvalue() and "1 个上次重算中断，全部季度重算" in out.getvalue()
