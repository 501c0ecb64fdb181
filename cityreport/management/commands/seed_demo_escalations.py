"""manage.py seed_demo_escalations: a demo 需市级协调 mark (after seed_demo_notices)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cityreport.demo import seed_escalations
from targets.models import Plan


class Command(BaseCommand):
    help = "Mark one demo major problem as needing city-level coordination (idempotent). Never on real data."

    def handle(self, *args, **options):
        plan = Plan.objects.filter(code=settings.DEFAULT_PLAN_CODE).first()
        if plan is None:
            raise CommandError("请先运行 load_ninghe_plan 导入方案。")
        made = seed_escalations(plan, today=timezone.localdate())
        self.stdout.write(self.style.WARNING(f"演示需市级协调问题 {made} 个（演示数据）。"))
