"""The parser on the official text and on broken ones; pure, no database."""

import re

import pytest

from targets.plan_text import PlanTextError, parse_plan
from tests.plan_facts import ACTION_AREAS, CLOSING_PARTS, RESPONSIBLE, TASK_TITLES


@pytest.fixture(scope="module")
def parsed(plan_text):
    return parse_plan(plan_text)


def test_reads_title_issuer_and_date(parsed):
    assert parsed.title == "天津市宁河区碳达峰实施方案"
    assert parsed.issuer == "天津市宁河区人民政府"
    assert parsed.issued_on.isoformat() == "2023-05-25"
    assert parsed.preamble.startswith("为深入贯彻落实天津市碳达峰碳中和战略决策部署")


def test_areas_and_closing_parts_in_the_plans_order(parsed):
    assert [a.title for a in parsed.areas] == ACTION_AREAS + CLOSING_PARTS
    assert [a.number for a in parsed.action_areas] == list(range(1, 11))
    assert {a.kind for a in parsed.areas if a.title in CLOSING_PARTS} == {"closing"}


def test_every_task_number_and_title(parsed):
    for area in parsed.areas:
        assert [t.title for t in area.tasks] == TASK_TITLES[area.title], area.title
        assert [t.number for t in area.tasks] == list(range(1, len(area.tasks) + 1))
    assert len(parsed.tasks) == 51


def test_full_width_numbering_is_read_like_ascii(parsed):
    science = next(a for a in parsed.areas if a.title == "绿色低碳科技创新行动")
    assert [t.number for t in science.tasks] == [1, 2, 3, 4]


def test_general_sections_keep_main_objectives(parsed):
    headings = [s.heading for s in parsed.sections]
    assert headings == ["指导思想", "工作原则", "主要目标"]
    main = parsed.sections[2].body
    assert "全区投产可再生能源电力装机容量超过300万千瓦" in main
    assert "如期实现2030年前碳达峰目标" in main


def test_responsible_departments_in_the_texts_order(parsed):
    by_key = {(a.title, t.number): t for a in parsed.areas for t in a.tasks}
    for key, names in RESPONSIBLE.items():
        assert by_key[key].departments == names, key


def test_task_text_is_rebuilt_exactly_from_its_parts(parsed, plan_text):
    lines = plan_text.splitlines()
    for task in parsed.tasks:
        line = lines[task.line - 1].strip()
        rebuilt = f"{task.title}。{task.body}（{task.responsibility_text}）"
        if re.match(r"^\d+[.．]", line):
            line = re.sub(r"^\d+[.．]", "", line)
        else:
            line = (
                f"{line}。{lines[task.line + 1].strip() if not lines[task.line].strip() else lines[task.line].strip()}"
            )
        assert rebuilt == line, task.title


def test_area_introductions_are_kept(parsed):
    assert parsed.areas[0].intro.startswith("坚持绿色发展，深度融入京津冀协同发展战略")


MINIMAL = """天津市某区碳达峰实施方案

为落实部署，制定本方案。

总体要求

主要目标

到2025年，可再生能源装机超过100万千瓦。

重点任务

甲行动

甲行动的说明。

1.第一项任务。正文。（区发展改革委、区统计局按职责分工负责）
2.第二项任务。正文。（区统计局负责）
组织实施

加强组织领导

正文。（区发展改革委、各相关部门按职责分工负责）
"""


def test_a_minimal_plan_of_the_same_template_parses():
    parsed = parse_plan(MINIMAL)
    assert parsed.title == "天津市某区碳达峰实施方案"
    assert [a.title for a in parsed.areas] == ["甲行动", "组织实施"]
    assert parsed.areas[0].tasks[1].departments == ["区统计局"]
    assert parsed.areas[1].tasks[0].title == "加强组织领导"


def _line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


@pytest.mark.parametrize(
    ("broken", "bad_line_fragment", "message_part"),
    [
        (MINIMAL.replace("（区统计局负责）", ""), "2.第二项任务", "缺少责任单位括号"),
        (MINIMAL.replace("2.第二项任务", "3.第二项任务"), "3.第二项任务", "编号应为 2"),
        (MINIMAL.replace("1.第一项任务。正文。", "1.第一项任务没有句号"), "1.第一项任务没有句号", "应以“标题。”开头"),
        (MINIMAL.replace("（区统计局负责）", "（负责）"), "2.第二项任务", "没有单位名称"),
        (MINIMAL + "\n这是一段没有编号的文字，混在任务之后。\n", "这是一段没有编号", None),
        (
            MINIMAL.replace(
                "1.第一项任务。正文。（区发展改革委、区统计局按职责分工负责）\n2.第二项任务。正文。（区统计局负责）\n",
                "",
            ),
            "甲行动",
            "没有任何任务",
        ),
        (
            MINIMAL.replace("（区发展改革委、区统计局按职责分工负责）", "（区统计局、区统计局按职责分工负责）"),
            "1.第一项任务",
            "重复",
        ),
    ],
)
def test_malformed_text_names_the_bad_line(broken, bad_line_fragment, message_part):
    with pytest.raises(PlanTextError) as caught:
        parse_plan(broken)
    assert caught.value.line == _line_of(broken, bad_line_fragment)
    assert f"第 {caught.value.line} 行" in str(caught.value)
    if message_part:
        assert message_part in caught.value.message


def test_text_without_key_tasks_is_refused():
    with pytest.raises(PlanTextError, match="找不到“重点任务”"):
        parse_plan(MINIMAL.replace("重点任务", "其他内容"))


def test_empty_text_is_refused():
    with pytest.raises(PlanTextError, match="文件为空"):
        parse_plan("  \n\n")
