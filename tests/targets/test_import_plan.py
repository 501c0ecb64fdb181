"""The import_plan command on the official text and on broken files: all or nothing."""

import pytest
from django.core.management import CommandError, call_command

from departments.models import Department, DepartmentAlias
from targets.models import Area, Plan, Responsibility, Task
from tests.conftest import PLAN_TEXT_PATH
from tests.plan_facts import ACTION_AREAS, ALIASES, CLOSING_PARTS, DEPARTMENT_COUNT, RESPONSIBLE, TASK_TITLES

pytestmark = pytest.mark.django_db


def test_official_plan_is_loaded_whole(plan):
    assert plan.title == "天津市宁河区碳达峰实施方案"
    assert plan.jurisdiction.name == "天津市宁河区"
    assert [a.title for a in plan.areas.order_by("order")] == ACTION_AREAS + CLOSING_PARTS
    assert Task.objects.filter(area__plan=plan).count() == sum(len(v) for v in TASK_TITLES.values()) == 51
    for area in plan.areas.all():
        assert list(area.tasks.order_by("number").values_list("title", flat=True)) == TASK_TITLES[area.title]


def test_every_task_has_exactly_one_lead_named_first(plan):
    for task in Task.objects.filter(area__plan=plan).prefetch_related("responsibilities"):
        roles = [r.role for r in task.responsibilities.order_by("order")]
        assert roles[0] == Responsibility.Role.LEAD, task
        assert roles.count(Responsibility.Role.LEAD) == 1, task


def test_lead_and_co_departments_as_the_text_lists_them(plan):
    for (area_title, number), names in RESPONSIBLE.items():
        task = Task.objects.get(area__plan=plan, area__title=area_title, number=number)
        rows = list(task.responsibilities.order_by("order"))
        assert [r.name_as_written for r in rows] == names
        assert rows[0].role == "lead" and all(r.role == "co" for r in rows[1:])


def test_variant_spellings_resolve_to_one_department(plan):
    assert Department.objects.filter(jurisdiction=plan.jurisdiction).count() == DEPARTMENT_COUNT
    for spelling, canonical in ALIASES.items():
        alias = DepartmentAlias.objects.get(jurisdiction=plan.jurisdiction, name=spelling)
        assert alias.department.name == canonical
        assert not Department.objects.filter(jurisdiction=plan.jurisdiction, name=spelling).exists()
    finance = Department.objects.get(name="区金融工作局")
    written = set(finance.responsibilities.values_list("name_as_written", flat=True))
    assert written == {"区金融工作局", "区金融局"}


def test_department_kinds(plan):
    kinds = dict(Department.objects.filter(jurisdiction=plan.jurisdiction).values_list("name", "kind"))
    assert kinds["各相关部门"] == "collective"
    assert kinds["有农业的街镇"] == "collective"
    assert kinds["七里海管委会"] == "management_committee"
    assert kinds["国网天津宁河供电公司"] == "company"
    assert kinds["区委宣传部"] == "party_organ"
    assert kinds["市规划资源局宁河分局"] == "municipal_branch"
    assert kinds["区统计局"] == "district_agency"


def test_reimport_is_refused_without_replace(plan):
    with pytest.raises(CommandError, match="已存在"):
        call_command("import_plan", PLAN_TEXT_PATH, code="ninghe-2023")
    assert Plan.objects.filter(code="ninghe-2023").count() == 1


def test_a_second_copy_under_another_code_reuses_the_departments(plan):
    before = Department.objects.count()
    call_command("import_plan", PLAN_TEXT_PATH, code="ninghe-copy")
    assert Department.objects.count() == before
    assert Task.objects.filter(area__plan__code="ninghe-copy").count() == 51


def test_malformed_file_names_the_line_and_loads_nothing(tmp_path, plan_text):
    lines = plan_text.splitlines()
    bad_line = next(n for n, line in enumerate(lines, start=1) if line.startswith("3.推动钢铁行业碳达峰"))
    lines[bad_line - 1] = lines[bad_line - 1].rsplit("（", 1)[0]
    broken = tmp_path / "broken.txt"
    broken.write_text("\n".join(lines), encoding="utf-8")
    counts = (Plan.objects.count(), Area.objects.count(), Task.objects.count(), Department.objects.count())

    with pytest.raises(CommandError) as caught:
        call_command("import_plan", broken, code="broken")

    assert f"第 {bad_line} 行" in str(caught.value)
    assert "未导入任何内容" in str(caught.value)
    assert (Plan.objects.count(), Area.objects.count(), Task.objects.count(), Department.objects.count()) == counts


def test_new_unit_in_a_later_task_does_not_leave_a_half_plan(tmp_path, plan_text):
    """A failure after some rows were written (here: one unit spelled twice in one task) rolls all back."""
    broken_text = plan_text.replace("（区机关事务服务中心、区财政局负责）", "（区金融局、区金融工作局负责）")
    broken = tmp_path / "dup.txt"
    broken.write_text(broken_text, encoding="utf-8")
    before = (Plan.objects.count(), Task.objects.count(), Responsibility.objects.count())
    with pytest.raises(CommandError, match="同一单位"):
        call_command("import_plan", broken, code="dup")
    assert (Plan.objects.count(), Task.objects.count(), Responsibility.objects.count()) == before


def test_non_utf8_file_is_refused_clearly(tmp_path):
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("天津市宁河区碳达峰实施方案".encode("gbk"))
    with pytest.raises(CommandError, match="不是 UTF-8"):
        call_command("import_plan", gbk)


def test_unknown_units_are_created_with_a_guessed_kind(tmp_path):
    from tests.targets.test_plan_text import MINIMAL

    path = tmp_path / "other.txt"
    path.write_text(MINIMAL.replace("区统计局负责", "东棘坨镇负责"), encoding="utf-8")
    call_command("import_plan", path, code="other", jurisdiction="天津市某区")
    town = Department.objects.get(name="东棘坨镇", jurisdiction__name="天津市某区")
    assert town.kind == "town_street"
