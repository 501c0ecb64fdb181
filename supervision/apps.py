from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """Supervision notices (督办单): the office's follow-up on what lags, the unit's answer, the history of both."""

    name = "supervision"
    verbose_name = _("Supervision")
