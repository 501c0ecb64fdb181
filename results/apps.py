from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    """Precomputed progress: what the dashboard, the API and the annual report read (no maths at page load)."""

    name = "results"
    verbose_name = _("Progress results")

    def ready(self):
        from tasks.signals import approved_data_changed, official_figures_recorded, report_submitted

        from .quality import flags_on_submit
        from .receivers import queue_figures_recompute, queue_recompute

        approved_data_changed.connect(queue_recompute, dispatch_uid="results.queue_recompute")
        official_figures_recorded.connect(queue_figures_recompute, dispatch_uid="results.queue_figures_recompute")
        report_submitted.connect(flags_on_submit, dispatch_uid="results.flags_on_submit")
