"""manage.py backup_data OUT.tar.gz: the whole dataset, files included, in one archive (no password hashes)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from backup import archive


class Command(BaseCommand):
    help = "Write every plan, account (without password), report, value, history entry and attachment to one archive."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The archive to write, e.g. ninghe-2026-11-25.tar.gz")

    def handle(self, *args, path, **options):
        manifest = archive.backup(path)
        rows = sum(manifest["counts"].values())
        files = len(manifest["files"]) - 1
        self.stdout.write(self.style.SUCCESS(f"已备份到 {path}：{rows} 行数据，{files} 个附件。"))
        self.stdout.write("账户的密码未备份：恢复后的账户需由管理员重新设置密码。")
        for name in manifest["missing_files"]:
            self.stderr.write(self.style.WARNING(f"附件文件缺失，未能备份：{name}"))
