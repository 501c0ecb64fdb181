"""manage.py load_targets FILE: load the curated indicators and targets of a plan."""

from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from indicators.services import TargetFixtureError, load_targets
from targets.models import Plan


class Command(BaseCommand):
    help = "Load indicators and targets (YAML, each target with its quote) into an imported plan."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise CommandError(f"无法读取 {file}：{exc}") from exc
        plan = Plan.objects.filter(code=data.get("plan")).first()
        if plan is None:
            raise CommandError(f"方案“{data.get('plan')}”尚未导入，请先运行 import_plan。")
        try:
            result = load_targets(plan=plan, data=data)
        except TargetFixtureError as exc:
            raise CommandError(f"目标文件有误，未导入任何内容：\n{exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"《{plan}》：{result.indicators} 个指标，{result.targets} 个目标。"))
