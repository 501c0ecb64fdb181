"""manage.py seed_demo_notices: demo supervision notices (after seed_demo and recompute_progress)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from supervision.demo import seed_notices
from targets.models import Plan


class Command(BaseCommand):
    help = "Create demo supervision notices in each state of the loop (idempotent). Never on real data."

    def handle(self, *args, **options):
        plan = Plan.objects.filter(code=settings.DEFAULT_PLAN_CODE).first()
        if plan is None:
            raise CommandError("请先运行 load_ninghe_plan 导入方案。")
        made = seed_notices(plan, today=timezone.localdate())
        self.stdout.write(self.style.WARNING(f"演示督办单 {made} 件（演示数据）。"))
