from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupConfig(AppConfig):
    """Whole-dataset backup and restore; it reads every app's models generically and owns no data."""

    name = "backup"
    verbose_name = _("Backup")
