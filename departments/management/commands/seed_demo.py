"""manage.py seed_demo: demo log-ins for a demo installation, printed so a new user can sign in.

Everything it creates is marked as demo (the account names start with demo- and carry 演示 in their
display name); real installations never run it.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO_ACCOUNTS = [
    # username, password, display name, is_superuser
    ("demo-office", "demo-office-2023", "演示·区碳达峰办", True),
]


class Command(BaseCommand):
    help = "Create the demo accounts (idempotent) and print their log-ins."

    def handle(self, *args, **options):
        users = get_user_model()
        self.stdout.write(self.style.WARNING("演示账号（仅用于演示，数据不是官方统计）："))
        for username, password, display, is_superuser in DEMO_ACCOUNTS:
            user, _ = users.objects.get_or_create(username=username)
            user.first_name = display
            user.is_staff = True
            user.is_superuser = is_superuser
            user.set_password(password)
            user.save()
            self.stdout.write(f"  {display:<16} 用户名 {username:<14} 密码 {password}")
