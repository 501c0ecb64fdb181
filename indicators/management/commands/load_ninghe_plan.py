"""manage.py load_ninghe_plan: the whole Ninghe plan (units, text, targets) in one command."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from targets.models import Plan

FIXTURES = settings.BASE_DIR / "fixtures"
PLAN_CODE = "ninghe-2023"


class Command(BaseCommand):
    help = "Load the Ninghe District carbon-peak plan 2023 from fixtures/ (idempotent)."

    def handle(self, *args, **options):
        call_command("load_departments", FIXTURES / "ninghe-departments.yaml", stdout=self.stdout)
        if Plan.objects.filter(code=PLAN_CODE).exists():
            self.stdout.write(f"方案 {PLAN_CODE} 已导入，跳过正文导入。")
        else:
            call_command(
                "import_plan", FIXTURES / "ninghe-carbon-peak-plan-2023.txt", code=PLAN_CODE, stdout=self.stdout
            )
        call_command("load_targets", FIXTURES / "ninghe-targets.yaml", stdout=self.stdout)
