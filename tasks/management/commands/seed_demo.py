"""manage.py seed_demo: demo accounts and quarters of demo reports, printed so a new user can sign in."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from targets.models import Plan
from tasks import demo


class Command(BaseCommand):
    help = "Create demo accounts for every role and demo reports in every state (idempotent). Never on real data."

    def handle(self, *args, **options):
        plan = Plan.objects.filter(code=settings.DEFAULT_PLAN_CODE).first()
        if plan is None:
            raise CommandError("请先运行 load_ninghe_plan 导入方案。")
        seeded = demo.seed(plan, today=timezone.localdate())  # the demo is anchored to the day it is loaded
        self.stdout.write(self.style.WARNING("以下均为演示数据，不是官方统计。"))
        quarter = seeded.quarter
        self.stdout.write(
            f"历史季度已审核报告 {seeded.history} 份；报送中的 {quarter.year}年第{quarter.quarter}季度"
            f"（{quarter.due_on:%m-%d} 截止）各状态：{seeded.current}"
        )
        self.stdout.write(f"新增演示统计数据（统计初步、统计核实，来源均标明“演示”）{seeded.official} 条")
        self.stdout.write(self.style.SUCCESS(f"演示账号（密码均为 {demo.DEMO_PASSWORD}）："))
        for account in seeded.accounts:
            self.stdout.write(f"  {account.username:<12} {account.display}")
        self.stdout.write("登录页：/accounts/login/；演示模式（DEMO_MODE=true）下一键登录：/accounts/demo/")
