from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The office's pages: they compose departments, the plan and its targets, and own no data."""

    name = "dashboard"
    verbose_name = _("Dashboard")
