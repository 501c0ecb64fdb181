"""manage.py restore_data IN.tar.gz: load a backup into a freshly migrated, empty database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backup import archive


class Command(BaseCommand):
    help = "Restore an archive written by backup_data into an empty database; a non-empty one is refused."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The archive written by backup_data")

    def handle(self, *args, path, **options):
        try:
            manifest = archive.restore(path)
        except archive.ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["counts"].values())
        files = len(manifest["files"]) - 1
        users = manifest["counts"].get(archive.USER_MODEL, 0)
        self.stdout.write(self.style.SUCCESS(f"已从 {path} 恢复：{rows} 行数据，{files} 个附件。"))
        self.stdout.write(
            f"{users} 个账户已恢复，但没有可用的密码（备份不含密码）："
            "请用 `manage.py changepassword 用户名` 或在管理后台为每个账户重新设置密码。"
        )
        self.stdout.write("备份不含接口令牌（API token）：通过接口报送的系统须由其用户重新签发令牌。")
