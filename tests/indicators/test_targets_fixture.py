"""Every target of the plan is in the fixture, exactly as the text states it."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import yaml

from indicators.models import Comparator, Indicator, Target
from indicators.services import TargetFixtureError, load_targets
from supervision.selectors import target_subject
from supervision.services import open_notice
from targets.models import Task
from tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db

# Numeric targets typed out from the plan: (indicator code, task or "主要目标", period, comparator, value, unit, baseline)
NUMERIC = [
    ("renewable-power-capacity", "主要目标", "2025", "gt", "300", "万千瓦", None),
    ("renewable-power-capacity", "2.2", "2025", "gt", "300", "万千瓦", None),
    ("industry-value-added-share", "1.1", "2025", "gte", "40", "%", None),
    ("blast-furnace-energy-per-product", "1.3", "2025", "lte", "361", "千克标准煤/吨", None),
    ("converter-energy-per-product", "1.3", "2025", "lte", "-30", "千克标准煤/吨", None),
    ("peak-load-response-capacity", "2.4", "2025", "gte", "5", "%", None),
    ("public-energy-audits", "3.2", "2025", "gte", "22", "家", None),
    ("new-large-datacenter-pue", "3.4", "2025", "lte", "1.3", "", None),
    ("datacenter-pue", "3.4", "2025", "lte", "1.5", "", None),
    ("sponge-city-area-share", "4.1", "十四五", "gte", "38", "%", None),
    ("prefabricated-building-share", "4.1", "2025", "gte", "100", "%", None),
    ("green-building-share", "4.2", "2025", "gte", "100", "%", None),
    ("star-rated-green-building-share", "4.2", "2025", "gte", "30", "%", None),
    ("five-step-energy-standard-share", "4.2", "2025", "gte", "100", "%", None),
    ("low-carbon-demo-villages", "4.4", "2025", "milestone", "1", "个", None),
    ("nev-sales-share", "5.1", "2025", "approx", "25", "%", None),
    ("transport-carbon-intensity", "5.1", "2025", "approx", "5", "%", 2020),
    ("nature-reserve-land-share", "6.1", "2025", "gte", "12.92", "%", None),
    ("forest-coverage", "6.2", "2025", "gte", "8.01", "%", None),
    ("msw-recycling-ratio", "7.3", "2025", "approx", "80", "%", None),
    ("industrial-solid-waste-utilization", "7.4", "2025", "gte", "98", "%", None),
    ("crop-straw-utilization", "7.4", "2025", "gte", "98", "%", None),
    ("construction-waste-recycling", "7.4", "2025", "gte", "30", "%", None),
    ("public-institution-energy-per-area", "10.1", "2025", "gte", "5", "%", 2020),
    ("public-institution-carbon-emissions", "10.1", "2025", "gte", "7", "%", 2020),
    ("conservation-oriented-agency-share", "10.1", "2025", "gte", "80", "%", None),
]

# Targets whose value the city assigns, and directional and milestone targets: (code, task, period, comparator)
NON_NUMERIC = [
    ("energy-intensity", "主要目标", "2025", "city_assigned"),
    ("energy-intensity", "主要目标", "2030", "city_assigned"),
    ("co2-intensity", "主要目标", "2025", "city_assigned"),
    ("co2-intensity", "主要目标", "2030", "city_assigned"),
    ("non-fossil-energy-share", "主要目标", "2025", "increase"),
    ("carbon-peak", "主要目标", "2030年前", "milestone"),
    ("above-scale-industry-energy-intensity", "1.2", "2025", "city_assigned"),
    ("coal-consumption", "2.1", "十四五", "decrease"),
    ("coal-consumption", "2.1", "十四五", "city_assigned"),
    ("coal-consumption", "2.1", "十五五", "decrease"),
    ("natural-gas-consumption", "2.3", "2025", "increase"),
    ("new-energy-storage-capacity", "2.4", "2025", "increase"),
    ("heat-metering-projects", "4.2", "未明确", "city_assigned"),
    ("new-building-efficiency-level", "4.2", "2025", "milestone"),
    ("public-building-retrofit-area", "4.2", "2025", "increase"),
    ("urban-building-renewable-substitution", "4.3", "2025", "increase"),
    ("new-public-institution-rooftop-pv", "4.3", "2025", "increase"),
    ("new-factory-rooftop-pv", "4.3", "2025", "increase"),
    ("forest-coverage", "6.2", "2030", "increase"),
    ("forest-area", "6.2", "2030", "increase"),
    ("livestock-manure-facilities", "6.4", "未明确", "milestone"),
    ("industrial-park-circular-retrofit", "7.1", "2025", "milestone"),
    ("waste-sorting-system", "7.3", "2025", "milestone"),
    ("urban-waste-sorting-coverage", "7.3", "2030", "milestone"),
    ("public-institution-energy-efficiency", "10.1", "2025", "increase"),
    ("green-public-institution-pilots", "10.1", "2025", "milestone"),
]

COMPARATOR_WORDS = {
    "gt": ("超过",),
    "gte": ("达到", "以上", "不少于", "不低于", "下降"),
    "lte": ("不超过", "以下"),
    "approx": ("左右",),
}


def _where(target: Target) -> str:
    return target.task.code if target.task else "主要目标"


def _find(plan, code, where, period, comparator):
    matches = [
        t
        for t in Target.objects.filter(
            indicator__plan=plan, indicator__code=code, period=period, comparator=comparator
        ).select_related("task__area")
        if _where(t) == where
    ]
    assert len(matches) == 1, (code, where, period, comparator, matches)
    return matches[0]


@pytest.mark.parametrize(("code", "where", "period", "comparator", "value", "unit", "baseline"), NUMERIC)
def test_numeric_target_as_the_plan_states_it(plan, code, where, period, comparator, value, unit, baseline):
    target = _find(plan, code, where, period, comparator)
    assert target.value == Decimal(value)
    assert target.unit == unit
    assert target.baseline_year == baseline
    assert value in target.quote
    if comparator in COMPARATOR_WORDS:
        assert any(word in target.quote for word in COMPARATOR_WORDS[comparator]), target.quote


@pytest.mark.parametrize(("code", "where", "period", "comparator"), NON_NUMERIC)
def test_directional_milestone_and_city_assigned_targets(plan, code, where, period, comparator):
    target = _find(plan, code, where, period, comparator)
    if comparator == "city_assigned":
        assert "下达" in target.quote or "全市平均水平" in target.quote
        assert target.value is None


def test_every_quote_is_the_plans_own_words_in_its_own_task(plan):
    main = plan.sections.get(heading="主要目标").body
    for target in Target.objects.filter(indicator__plan=plan).select_related("task__area"):
        source = target.task.full_text if target.task else main
        assert target.quote in source, target.quote


def test_no_number_the_plan_promises_is_left_out(plan):
    """Every figure with a target's unit in the tasks and main objectives lies inside some target's quote."""
    quotes = list(Target.objects.filter(indicator__plan=plan).values_list("quote", flat=True))
    figure = re.compile(r"-?\d+(?:\.\d+)?(?:%|万千瓦|千克标准煤/吨|家|个)|不超过\d+(?:\.\d+)?")
    texts = [plan.sections.get(heading="主要目标").body]
    texts += [t.full_text for t in Task.objects.filter(area__plan=plan)]
    missing = []
    for text in texts:
        for match in figure.finditer(text):
            covered = any(
                q in text and text.index(q) <= match.start() and match.end() <= text.index(q) + len(q) for q in quotes
            )
            if not covered:
                missing.append(text[max(0, match.start() - 15) : match.end() + 5])
    assert missing == []


def test_aspirational_exactly_when_the_plan_says_strive(plan):
    for target in Target.objects.filter(indicator__plan=plan):
        says_strive = "力争" in target.quote or "争取" in target.quote
        assert target.is_aspirational == says_strive, target.quote


def test_counts(plan):
    assert Indicator.objects.filter(plan=plan).count() == 54
    assert Target.objects.filter(indicator__plan=plan).count() == 65
    assert Target.objects.filter(indicator__plan=plan, comparator=Comparator.CITY_ASSIGNED).count() == 7


def test_reporting_department_defaults_to_the_task_lead(plan):
    forest = Indicator.objects.get(plan=plan, code="forest-coverage")
    assert forest.reporting_department.name == "七里海管委会"
    intensity = Indicator.objects.get(plan=plan, code="energy-intensity")
    assert intensity.reporting_department.name == "区发展改革委"


def test_reload_keeps_a_reporting_department_the_office_changed(plan):
    forest = Indicator.objects.get(plan=plan, code="forest-coverage")
    forestry = forest.reporting_department.jurisdiction.departments.get(name="区林业局")
    forest.reporting_department = forestry
    forest.save()
    data = yaml.safe_load((FIXTURES / "ninghe-targets.yaml").read_text(encoding="utf-8"))
    load_targets(plan=plan, data=data)
    forest.refresh_from_db()
    assert forest.reporting_department == forestry


def test_a_quote_not_in_the_plan_is_refused_and_nothing_changes(plan):
    data = yaml.safe_load((FIXTURES / "ninghe-targets.yaml").read_text(encoding="utf-8"))
    forest = next(i for i in data["indicators"] if i["code"] == "forest-coverage")
    forest["targets"][0]["quote"] = "全区森林覆盖率达到9%"
    forest["targets"][0]["value"] = 9
    data["indicators"][0]["targets"][0]["task"] = "99.1"
    before = list(Target.objects.filter(indicator__plan=plan).values_list("pk", "quote"))

    with pytest.raises(TargetFixtureError) as caught:
        load_targets(plan=plan, data=data)

    problems = "\n".join(caught.value.problems)
    assert "指标 forest-coverage 目标 1：引文不是方案原文" in problems
    assert "方案中没有任务 99.1" in problems
    assert list(Target.objects.filter(indicator__plan=plan).values_list("pk", "quote")) == before


def test_shares_are_checked_against_a_plausible_range(plan):
    coverage = Indicator.objects.get(plan=plan, code="forest-coverage")
    assert (coverage.min_value, coverage.max_value) == (0, 100)
    decline = Indicator.objects.get(plan=plan, code="energy-intensity")
    assert (decline.min_value, decline.max_value) == (-100, 100)
    capacity = Indicator.objects.get(plan=plan, code="renewable-power-capacity")
    assert (capacity.min_value, capacity.max_value) == (None, None)


def test_office_records_a_city_assigned_value_but_not_the_plans_words(office_client, plan):
    from django.urls import reverse

    target = Target.objects.get(indicator__plan=plan, indicator__code="energy-intensity", period="2025")
    url = reverse("admin:indicators_target_change", args=[target.pk])
    page = office_client.get(url).content.decode()
    assert 'name="value"' in page and 'name="assigned_document"' in page
    assert 'name="quote"' not in page
    response = office_client.post(url, {"value": "15", "assigned_document": "津发改环资〔2022〕示例号（演示）"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.value == 15 and target.quote == "完成我市下达的能耗强度降低目标和二氧化碳排放强度降低目标"


def test_a_reload_updates_targets_in_place_so_notices_and_the_city_s_values_stay(plan, office_user):
    """scripts/run loads the plan on every start: deleting and recreating the targets failed once a notice was open
    on one (and dropped the office's entries and the meetings' links)."""
    target = Indicator.objects.get(plan=plan, code="forest-coverage").targets.get(value=Decimal("8.01"))
    city = Target.objects.filter(indicator__plan=plan, comparator=Comparator.CITY_ASSIGNED).first()
    city.value, city.assigned_document = Decimal("3.2"), "津碳达峰办〔2025〕1号"
    city.save()
    notice = open_notice(
        subject=target_subject(target, None),
        by=office_user,
        requirement="请报送整改措施。",
        deadline=dt.date(2027, 1, 31),
        today=dt.date(2026, 12, 3),
    )
    before = sorted(Target.objects.filter(indicator__plan=plan).values_list("pk", "quote"))

    load_targets(plan=plan, data=yaml.safe_load((FIXTURES / "ninghe-targets.yaml").read_text(encoding="utf-8")))

    assert sorted(Target.objects.filter(indicator__plan=plan).values_list("pk", "quote")) == before
    notice.refresh_from_db()
    assert notice.target_id == target.pk
    city.refresh_from_db()
    assert (city.value, city.assigned_document) == (Decimal("3.2"), "津碳达峰办〔2025〕1号")


def test_a_target_gone_from_the_file_but_under_a_notice_is_refused_by_name(plan, office_user):
    data = yaml.safe_load((FIXTURES / "ninghe-targets.yaml").read_text(encoding="utf-8"))
    forest = next(i for i in data["indicators"] if i["code"] == "forest-coverage")
    target = Indicator.objects.get(plan=plan, code="forest-coverage").targets.order_by("order").last()
    open_notice(
        subject=target_subject(target, None),
        by=office_user,
        requirement="请报送整改措施。",
        deadline=dt.date(2027, 1, 31),
        today=dt.date(2026, 12, 3),
    )
    forest["targets"].pop()

    with pytest.raises(TargetFixtureError) as caught:
        load_targets(plan=plan, data=data)

    assert "全区森林覆盖率" in "\n".join(caught.value.problems)
    assert Target.objects.filter(pk=target.pk).exists()
