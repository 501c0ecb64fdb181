"""manage.py load_departments FILE: register a jurisdiction's units, kinds and variant spellings."""

from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from departments.models import Jurisdiction
from departments.services import register_departments


class Command(BaseCommand):
    help = "Load a curated department registry (YAML: jurisdiction, departments with kind and aliases)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise CommandError(f"无法读取 {file}：{exc}") from exc
        jurisdiction, _ = Jurisdiction.objects.get_or_create(name=data["jurisdiction"])
        count = register_departments(jurisdiction=jurisdiction, entries=data["departments"])
        self.stdout.write(self.style.SUCCESS(f"{jurisdiction}：登记责任单位 {count} 个。"))
