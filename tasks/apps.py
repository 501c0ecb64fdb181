from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    """Quarterly reports of the departments on their tasks and indicators (built on the plan model)."""

    name = "tasks"
    verbose_name = _("Quarterly reports")

    def ready(self):
        from .roles import ensure_role_groups

        post_migrate.connect(ensure_role_groups, sender=self)
