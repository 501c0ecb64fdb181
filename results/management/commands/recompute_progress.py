"""manage.py recompute_progress: recompute every target, task and rollup now, with a progress bar."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from results import services
from targets.models import Plan


class Command(BaseCommand):
    help = (
        "Recompute the progress results of every plan (or one, with --plan CODE) from approved data; "
        "plans whose inputs have not changed since their last full recompute are passed over unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="Plan code; default: every plan.")
        parser.add_argument("--force", action="store_true", help="Recompute unchanged plans too.")

    def handle(self, *args, plan=None, force=False, **options):
        plans = list(Plan.objects.filter(code=plan) if plan else Plan.objects.all())
        with tqdm(total=len(plans), desc="重算进度", unit="个方案", file=self.stderr) as bar:

            def advance(done):
                bar.set_postfix_str(done.code)
                bar.update(1)

            outcome = services.recompute_plans(plans, force=force, progress=advance)
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：{len(plans)} 个方案（重算 {outcome.recomputed} 个，输入未变跳过 {outcome.skipped} 个；"
                f"重算的方案中 {outcome.from_later_quarter} 个只有报告变动，从最早变动的季度起重算，"
                f"{outcome.resumed} 个上次重算中断，全部季度重算），"
                f"写入 {outcome.written} 行结果（未变化的行保持不动）。"
            )
        )
