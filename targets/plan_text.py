"""Parse the text of a Tianjin district carbon-peak plan into plain data.

Pure Python, no Django: the importer and its tests share it. The layout it reads is the one the
districts copied from the city's template: a notice, the title, a preamble, the parts 总体要求 /
重点任务 / 对外合作 / 政策保障 / 组织实施 as bare headings, action areas under 重点任务 whose tasks
are numbered "1." and restart in every area, and sub-headings under the closing parts. Every task
ends with a parenthesis naming the responsible departments, the lead first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

GENERAL_PART = "总体要求"
KEY_TASKS_PART = "重点任务"
CLOSING_PARTS = ("对外合作", "政策保障", "组织实施")
PART_HEADINGS = (GENERAL_PART, KEY_TASKS_PART, *CLOSING_PARTS)

TASK_LINE = re.compile(r"^(\d{1,2})\s*[.．、]\s*(.+)$")
RESPONSIBILITY = re.compile(r"（([^（）]+)）$")
RESPONSIBILITY_SUFFIX = re.compile(r"(按职责分工负责|按职责分工|分别负责|负责)$")
NAME_SEPARATORS = re.compile(r"[、，,；;]")
DATE_LINE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
ISSUER_LINE = re.compile(r"^(.+?人民政府)关于印发")
SENTENCE_END = ("。", "；", "）", "！", "？", "：")
MAX_HEADING_LENGTH = 40


class PlanTextError(ValueError):
    """A layout problem, with the 1-based line it was found on so a person can fix the file."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"第 {line} 行：{message}")


@dataclass
class ParsedTask:
    number: int
    title: str
    body: str
    responsibility_text: str
    departments: list[str]
    line: int


@dataclass
class ParsedArea:
    kind: str  # "action" or "closing"
    title: str
    number: int | None
    intro: str = ""
    tasks: list[ParsedTask] = field(default_factory=list)
    line: int = 0


@dataclass
class ParsedSection:
    part: str
    heading: str
    body: str


@dataclass
class ParsedPlan:
    title: str
    issuer: str
    issued_on: date | None
    preamble: str
    sections: list[ParsedSection]
    areas: list[ParsedArea]

    @property
    def action_areas(self) -> list[ParsedArea]:
        return [a for a in self.areas if a.kind == "action"]

    @property
    def tasks(self) -> list[ParsedTask]:
        return [t for a in self.areas for t in a.tasks]


def is_heading(text: str) -> bool:
    return (
        len(text) <= MAX_HEADING_LENGTH
        and not text.endswith(SENTENCE_END)
        and not TASK_LINE.match(text)
        and not DATE_LINE.match(text)
    )


def split_responsibility(paragraph: str, line: int) -> tuple[str, str, list[str]]:
    """Return (text before the parenthesis, the clause verbatim, department names in order)."""
    match = RESPONSIBILITY.search(paragraph)
    if not match:
        raise PlanTextError(line, "任务末尾缺少责任单位括号，例如“（区发展改革委、区统计局按职责分工负责）”。")
    clause = match.group(1)
    names_text = RESPONSIBILITY_SUFFIX.sub("", clause).strip()
    names = [n.strip() for n in NAME_SEPARATORS.split(names_text) if n.strip()]
    if not names:
        raise PlanTextError(line, f"责任单位括号“（{clause}）”中没有单位名称。")
    if len(set(names)) != len(names):
        raise PlanTextError(line, f"责任单位括号“（{clause}）”中有重复的单位。")
    return paragraph[: match.start()], clause, names


def split_title(text: str, line: int) -> tuple[str, str]:
    title, sep, body = text.partition("。")
    if not sep or not title:
        raise PlanTextError(line, "任务应以“标题。”开头，例如“1.推动产业转型升级。”。")
    return title.strip(), body


def _lines(text: str) -> list[tuple[int, str]]:
    return [(n, raw.strip()) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]


def parse_plan(text: str) -> ParsedPlan:
    """Parse the whole text or raise PlanTextError naming the first bad line."""
    lines = _lines(text.lstrip("\ufeff"))
    if not lines:
        raise PlanTextError(1, "文件为空。")
    part_lines = [(n, t) for n, t in lines if t in PART_HEADINGS]
    found = [t for _, t in part_lines]
    if KEY_TASKS_PART not in found:
        raise PlanTextError(lines[-1][0], f"找不到“{KEY_TASKS_PART}”部分，无法识别行动和任务。")
    first_part_line = part_lines[0][0]

    head = [(n, t) for n, t in lines if n < first_part_line]
    title, issuer, issued_on, preamble = _parse_head(head)

    sections: list[ParsedSection] = []
    areas: list[ParsedArea] = []
    part = None
    area: ParsedArea | None = None
    section: ParsedSection | None = None
    for n, t in lines:
        if n < first_part_line:
            continue
        if t in PART_HEADINGS:
            _close_area(area)
            part, area, section = t, None, None
            if t in CLOSING_PARTS:
                area = ParsedArea(kind="closing", title=t, number=None, line=n)
                areas.append(area)
            continue
        if part == KEY_TASKS_PART:
            task_match = TASK_LINE.match(t)
            if task_match:
                if area is None:
                    raise PlanTextError(n, "编号任务出现在任何行动标题之前。")
                area.tasks.append(_parse_numbered_task(task_match, area, n))
            elif is_heading(t):
                _close_area(area)
                area = ParsedArea(kind="action", title=t, number=len(_actions(areas)) + 1, line=n)
                areas.append(area)
            elif area is None:
                raise PlanTextError(n, "这段文字出现在第一个行动标题之前。")
            elif area.tasks:
                raise PlanTextError(n, "任务之后出现了不带编号的段落：任务应以“数字.”开头，或缺少行动标题。")
            else:
                area.intro = _join(area.intro, t)
        elif part in CLOSING_PARTS:
            assert area is not None
            if is_heading(t):
                area.tasks.append(ParsedTask(len(area.tasks) + 1, t, "", "", [], n))
            elif not area.tasks:
                area.intro = _join(area.intro, t)
            else:
                task = area.tasks[-1]
                if task.responsibility_text:
                    raise PlanTextError(n, "责任单位括号之后又出现了段落：每个小标题下应只有一段正文。")
                _fill_closing_task(task, t, n)
        else:
            if is_heading(t):
                section = ParsedSection(part=part or "", heading=t, body="")
                sections.append(section)
            elif section is None:
                section = ParsedSection(part=part or "", heading=part or "", body=t)
                sections.append(section)
            else:
                section.body = _join(section.body, t)
    _close_area(area)
    if not _actions(areas):
        raise PlanTextError(lines[-1][0], f"“{KEY_TASKS_PART}”下没有任何行动。")
    return ParsedPlan(title, issuer, issued_on, preamble, sections, areas)


def _actions(areas: list[ParsedArea]) -> list[ParsedArea]:
    return [a for a in areas if a.kind == "action"]


def _join(existing: str, more: str) -> str:
    return f"{existing}\n{more}" if existing else more


def _parse_head(head: list[tuple[int, str]]) -> tuple[str, str, date | None, str]:
    issuer, issued_on, title, preamble = "", None, "", ""
    for _, t in head:
        if m := ISSUER_LINE.match(t):
            issuer = m.group(1)
        elif m := DATE_LINE.match(t):
            issued_on = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        elif t.endswith("方案") and is_heading(t) and "《" not in t:
            title = t
        elif title and not is_heading(t):
            preamble = _join(preamble, t)
    if not title:
        line = head[-1][0] if head else 1
        raise PlanTextError(line, "找不到方案标题：应在正文之前单独一行，以“方案”结尾。")
    return title, issuer, issued_on, preamble


def _parse_numbered_task(match: re.Match, area: ParsedArea, line: int) -> ParsedTask:
    number = int(match.group(1))
    expected = len(area.tasks) + 1
    if number != expected:
        raise PlanTextError(
            line, f"“{area.title}”的任务编号应为 {expected}，实际为 {number}（编号在每个行动内从 1 开始连续）。"
        )
    before, clause, names = split_responsibility(match.group(2), line)
    title, body = split_title(before, line)
    return ParsedTask(number, title, body, clause, names, line)


def _fill_closing_task(task: ParsedTask, paragraph: str, line: int) -> None:
    before, clause, names = split_responsibility(paragraph, line)
    task.body, task.responsibility_text, task.departments = before, clause, names


def _close_area(area: ParsedArea | None) -> None:
    if area is None:
        return
    if not area.tasks:
        raise PlanTextError(area.line, f"“{area.title}”下没有任何任务。")
    for task in area.tasks:
        if not task.responsibility_text:
            raise PlanTextError(task.line, f"小标题“{task.title}”下缺少带责任单位括号的正文。")
