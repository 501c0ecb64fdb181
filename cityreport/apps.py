from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CityReportConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cityreport"
    verbose_name = _("Reports to the city")
