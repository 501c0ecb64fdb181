from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    """Quarterly reports of the departments on their tasks and indicators (built on the plan model)."""

    name = "tasks"
    verbose_name = _("Quarterly reports")
