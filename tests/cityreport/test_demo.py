"""The demo marks one of its major problems 需市级协调, once, in words that say 演示, so the city report's section 三
is not empty on a new installation."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from cityreport.demo import DEMO_REASON, seed_escalations
from cityreport.models import Escalation
from results.services import recompute_plan
from tasks.models import last_ended_quarter

pytestmark = pytest.mark.django_db


def test_the_demo_marks_one_approved_major_problem_of_the_reported_quarter_once(plan):
    call_command("seed_demo", stdout=io.StringIO())  # what scripts/run does before, in its order
    recompute_plan(plan)
    assert seed_escalations(plan, today=timezone.localdate()) == 1
    mark = Escalation.objects.get()
    problem = mark.task_update
    assert mark.is_active and mark.reason == DEMO_REASON and "演示" in mark.reason
    assert problem.major_problem and problem.report.is_demo and problem.report.status == "approved"
    reported = (problem.report.period.year, problem.report.period.quarter)
    assert reported == last_ended_quarter(timezone.localdate())  # the quarter being reported
    assert mark.steps.count() == 1  # made through the service: its history holds the step

    call_command("seed_demo_escalations")  # scripts/run on every start
    assert Escalation.objects.count() == 1


def test_nothing_is_marked_without_demo_problems(plan):
    assert seed_escalations(plan, today=timezone.localdate()) == 0
    assert not Escalation.objects.exists()
