"""Supervision notices in the assessment: counts per unit, and a responsiveness share that moves no score at zero."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from departments.models import Department
from evaluation import scoring
from evaluation.services import evaluation_for
from evaluation.snapshot import build_snapshot
from supervision.selectors import free_subject
from supervision.services import answer_notice, open_notice

pytestmark = pytest.mark.django_db


def test_responsiveness_is_left_out_at_zero_weight_and_counts_above_it():
    inputs = scoring.UnitInputs(quarters=("on_time", "late"), tasks=(("completed", False),), targets=("on_track",))
    with_notices = scoring.UnitInputs(**{**inputs.__dict__, "notices": ("answered_on_time", "overdue", "pending")})
    zero = scoring.Scheme()
    assert scoring.score_unit(with_notices, zero).total == scoring.score_unit(inputs, zero).total == 91.0
    # (80·30 + 100·40 + 90·30 + 50·20) / 120 = 84.2: the pending notice is not scored, 100 and 0 average 50
    assert scoring.score_unit(with_notices, scoring.Scheme(weight_responsiveness=20)).total == 84.2
    assert scoring.score_unit(inputs, scoring.Scheme(weight_responsiveness=20)).total == 91.0  # no notices: no part


def totals(snapshot) -> dict[int, float | None]:
    return {r["department_id"]: r["total"] for r in snapshot["assessment"]}


def test_the_assessment_counts_each_units_notices_and_weighs_them_only_when_asked(
    demo_plan, demo_office, dept_a_user, office_client
):
    unit = Department.objects.get(name="七里海管委会")
    today = timezone.localdate()
    evaluation = evaluation_for(demo_plan, today.year)
    later = today + dt.timedelta(days=5)
    before = totals(build_snapshot(evaluation, today=later))

    answered = open_notice(
        subject=free_subject(demo_plan),
        by=demo_office,
        requirement="补报造林数据",
        title="补报造林数据",
        responsible=unit,
        deadline=today + dt.timedelta(days=10),
        today=today,
    )
    answer_notice(notice=answered, by=dept_a_user, measures="已补报。", planned_completion=today)
    open_notice(
        subject=free_subject(demo_plan),
        by=demo_office,
        requirement="说明滞后原因",
        title="说明滞后原因",
        responsible=unit,
        deadline=today + dt.timedelta(days=1),
        today=today,
    )

    snapshot = build_snapshot(evaluation, today=later)
    row = next(r for r in snapshot["assessment"] if r["department_id"] == unit.pk)
    assert row["notices"] == {"opened": 2, "answered_on_time": 1, "overdue": 1, "closed": 0}
    assert row["responsiveness"] == 50.0
    assert totals(snapshot) == before  # weight 0 by default: no score moves

    evaluation.weight_responsiveness = 20
    evaluation.save()
    after = totals(build_snapshot(evaluation, today=later))
    assert after[unit.pk] != before[unit.pk]
    assert {k: v for k, v in after.items() if k != unit.pk} == {k: v for k, v in before.items() if k != unit.pk}

    html = office_client.get(reverse("evaluation:assessment", args=[demo_plan.code, today.year])).content.decode()
    assert "督办单：交办 2 件，按时反馈 1 件，逾期 0 件，办结 0 件" in html  # read today: the second is not yet late
    assert "督办单响应（期限内反馈 100 分，逾期反馈 50 分，逾期未反馈 0 分）权重 20%。" in html
