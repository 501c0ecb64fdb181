"""Demo notices: one in each state of the loop, every one marked demo, made once however often the command runs."""

import pytest
from django.core.management import call_command

from results.services import recompute_plan
from supervision.models import Notice, Status
from tasks import demo

pytestmark = pytest.mark.django_db


def test_demo_notices_cover_the_loop_are_marked_and_are_made_once(plan, today):
    demo.seed(plan, today=today)
    recompute_plan(plan)
    call_command("seed_demo_notices")
    call_command("seed_demo_notices")
    notices = list(Notice.objects.all())
    assert len(notices) == 4 and all(n.is_demo for n in notices)
    assert {n.status for n in notices} == {Status.OPEN, Status.ANSWERED, Status.CLOSED}
    assert [n.display_number for n in Notice.objects.overdue(today)] == [notices[-1].display_number]
    closed = Notice.objects.get(status=Status.CLOSED)
    assert [s.action for s in closed.steps.all()] == ["open", "answer", "return", "answer", "close"]
