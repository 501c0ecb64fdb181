"""Targets that share an indicator and a period can be told apart wherever they are listed, in the plan's words."""

import pytest
from django.urls import reverse

from indicators.models import Target

pytestmark = pytest.mark.django_db


def test_no_two_targets_read_alike(plan):
    targets = list(Target.objects.filter(indicator__plan=plan).select_related("indicator", "task"))
    rows = {(t.indicator.name, t.get_period_display(), t.distinction) for t in targets}
    assert len(rows) == len(targets)


def test_the_distinction_names_the_aspiration_the_task_and_the_plans_words(plan):
    capacity = Target.objects.filter(indicator__plan=plan, indicator__name="全区可再生能源电力装机容量")
    assert sorted(t.distinction for t in capacity) == [
        "主要目标 · “全区投产可再生能源电力装机容量超过300万千瓦”",
        "力争 · 2.2 · “全区可再生能源电力装机容量力争超过300万千瓦”",
    ]
    coal = Target.objects.get(indicator__plan=plan, quote="“十四五”时期煤炭消费总量继续减少")
    assert coal.distinction == "2.1 · “‘十四五’时期煤炭消费总量继续减少”"  # the plan's words stay exactly as written
    assert coal.quote == "“十四五”时期煤炭消费总量继续减少"


def test_the_targets_table_says_which_target_each_row_is(plan, client):
    html = client.get(reverse("dashboard:target-list", args=[plan.code])).content.decode()
    for target in Target.objects.filter(indicator__plan=plan, indicator__name="煤炭消费总量").select_related("task"):
        row = html[html.index(f'id="target-{target.pk}"') :]
        row = row[: row.index("</tr>")]
        assert (target.task.code if target.task else "主要目标") in row
