"""Generate an annual evaluation PDF from the command line (the same job the page queues)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from evaluation import services
from evaluation.models import ReportFile
from targets.models import Plan


class Command(BaseCommand):
    help = "Generate the annual evaluation report (PDF) of a year; prints where the file is, its pages and time."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--plan", default="ninghe-2023", help="plan code")
        parser.add_argument("--user", required=True, help="the office member the file is generated for")

    def handle(self, *args, year, plan, user, **options):
        plan_obj = Plan.objects.filter(code=plan).first()
        if plan_obj is None:
            raise CommandError(f"没有方案 {plan}")
        requester = get_user_model().objects.filter(username=user).first()
        if requester is None:
            raise CommandError(f"没有用户 {user}")
        evaluation = services.evaluation_for(plan_obj, year)
        file = ReportFile.objects.create(evaluation=evaluation, requested_by=requester, from_final=evaluation.is_final)
        file = services.generate_pdf(file.pk)
        if file.state != ReportFile.State.DONE:
            raise CommandError(f"生成失败：{file.error}")
        self.stdout.write(f"{file.file.path}\t{file.pages} 页\t{file.size} 字节\t{file.seconds} 秒")
