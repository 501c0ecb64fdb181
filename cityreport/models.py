"""Reporting to the city (向市碳达峰碳中和工作领导小组报告): the office's report of a quarter or a year, its texts
with their history, the PDF files generated from it, and the office's 需市级协调 marks on reported major problems.

The plan's 组织实施 asks the district office to report progress and major problems to the city's leading group in
good time; the report gathers what the engine, the units, the supervision notices and the dispatch meetings say.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evaluation.changes import DocumentChange
from evaluation.files import GeneratedFile
from targets.models import Plan
from tasks.models import TaskUpdate


class CityReport(models.Model):
    """One plan's report of one quarter (`quarter` 1–4) or of a whole year (`quarter` empty).

    Draft: texts editable, data read live. Final: the data are frozen in `snapshot`, like the annual evaluation.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="city_reports", verbose_name=_("plan"))
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("Empty for a report of the whole year."),
    )
    introduction = models.TextField(_("introduction"), blank=True)
    closing = models.TextField(_("next steps and requests to the city"), blank=True)
    is_final = models.BooleanField(_("final"), default=False)
    snapshot = models.JSONField(_("frozen data"), null=True, blank=True, editable=False)
    finalized_at = models.DateTimeField(_("made final at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("report to the city")
        verbose_name_plural = _("reports to the city")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year", "quarter"],
                condition=Q(quarter__isnull=False),
                name="one_city_report_per_quarter",
            ),
            models.UniqueConstraint(
                fields=["plan", "year"], condition=Q(quarter__isnull=True), name="one_city_report_per_year"
            ),
            models.CheckConstraint(
                condition=Q(quarter__isnull=True) | Q(quarter__gte=1, quarter__lte=4),
                name="city_report_quarter_1_to_4",
            ),
        ]

    def __str__(self):
        return f"{self.plan.code} {self.scope_label}"

    @property
    def scope_label(self) -> str:
        return scope_label(self.year, self.quarter)

    @property
    def scope_slug(self) -> str:
        return scope_slug(self.year, self.quarter)


def scope_label(year: int, quarter: int | None) -> str:
    """2026年第3季度 or 2026年度, as the report's title says it."""
    if quarter:
        return str(_("%(year)s Q%(quarter)s") % {"year": year, "quarter": quarter})
    return str(_("year %(year)s") % {"year": year})


def scope_slug(year: int, quarter: int | None) -> str:
    """The period in the address: 2026-q3, or 2026 for the year."""
    return f"{year}-q{quarter}" if quarter else str(year)


class CityReportChange(DocumentChange):
    """History of the office's edits: who, when, which field, before and after (and making final, reopening)."""

    PARENT = "report"

    report = models.ForeignKey(CityReport, on_delete=models.CASCADE, related_name="changes")

    class Meta(DocumentChange.Meta):
        verbose_name = _("change of a report to the city")
        verbose_name_plural = _("changes of reports to the city")


class CityReportFile(GeneratedFile):
    PARENT = "report"

    report = models.ForeignKey(CityReport, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to="cityreport/", blank=True)

    class Meta(GeneratedFile.Meta):
        verbose_name = _("file of a report to the city")
        verbose_name_plural = _("files of reports to the city")


class Escalation(models.Model):
    """The office's 需市级协调 mark on a reported major problem: it needs the city to coordinate. Unmarking keeps the
    row (inactive); every mark and unmark, with its reason, is an `EscalationStep`."""

    task_update = models.OneToOneField(
        TaskUpdate, on_delete=models.PROTECT, related_name="escalation", verbose_name=_("reported major problem")
    )
    is_active = models.BooleanField(_("needs city-level coordination"), default=True)
    reason = models.TextField(_("reason"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("marked by")
    )
    marked_at = models.DateTimeField(_("marked at"))

    class Meta:
        verbose_name = _("city-level coordination mark")
        verbose_name_plural = _("city-level coordination marks")
        ordering = ["-marked_at", "-pk"]

    def __str__(self):
        return f"{self.task_update_id} {'+' if self.is_active else '-'}"


class EscalationStep(models.Model):
    class Action(models.TextChoices):
        MARK = "mark", _("Marked as needing city-level coordination")
        UNMARK = "unmark", _("Mark withdrawn")

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("step of a city-level coordination mark")
        verbose_name_plural = _("history of city-level coordination marks")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.action} @ {self.at:%Y-%m-%d %H:%M}"
