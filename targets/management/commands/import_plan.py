"""manage.py import_plan FILE: load a district plan text of the Tianjin template, or refuse it whole."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from targets.plan_text import PlanTextError, parse_plan
from targets.services import PlanImportError, import_plan


def read_plan_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CommandError(f"找不到文件：{path}") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path} 不是 UTF-8 编码的文本文件（第 {exc.start} 字节处无法解码）。") from exc


class Command(BaseCommand):
    help = "Import a carbon-peak plan text (areas, numbered tasks, responsibility parentheses)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--code", help="Stable plan code used in URLs (default: the file name).")
        parser.add_argument("--jurisdiction", default="", help="Default: derived from the issuing government.")
        parser.add_argument("--replace", action="store_true", help="Replace an existing plan with this code.")

    def handle(self, *args, file: Path, code: str | None, jurisdiction: str, replace: bool, **options):
        text = read_plan_text(file)
        try:
            parsed = parse_plan(text)
        except PlanTextError as exc:
            raise CommandError(f"{file}：{exc}（未导入任何内容）") from exc
        try:
            result = import_plan(
                parsed=parsed,
                source_text=text,
                code=code or slugify(file.stem),
                jurisdiction_name=jurisdiction,
                replace=replace,
            )
        except PlanImportError as exc:
            raise CommandError(f"{exc}（未导入任何内容）") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入《{result.plan.title}》：{result.areas} 个部分，{result.tasks} 项任务"
                f"（代码 {result.plan.code}）。"
            )
        )
        if result.departments_created:
            self.stdout.write(
                f"新建责任单位 {len(result.departments_created)} 个：{'、'.join(result.departments_created)}"
            )
