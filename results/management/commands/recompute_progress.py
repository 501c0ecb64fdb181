"""manage.py recompute_progress: recompute every target, task and rollup now, with a progress bar."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from results import services
from targets.models import Plan


class Command(BaseCommand):
    help = "Recompute the progress results of every plan (or one, with --plan CODE) from approved data."

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="Plan code; default: every plan.")

    def handle(self, *args, plan=None, **options):
        plans = list(Plan.objects.filter(code=plan) if plan else Plan.objects.all())
        total = 0
        with tqdm(total=len(plans) * 3, desc="重算进度", unit="步", file=self.stderr) as bar:
            for each in plans:
                bar.set_postfix_str(each.code)
                total += services.recompute_plan(each, progress=lambda _step: bar.update(1))
        self.stdout.write(self.style.SUCCESS(f"完成：{len(plans)} 个方案，写入 {total} 行结果（未变化的行保持不动）。"))
