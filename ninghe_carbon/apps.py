"""Third-party apps as the admin names them: in the user's language, not the package's name."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    verbose_name = _("Log-in lock-out")
