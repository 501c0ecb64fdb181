"""The annual evaluation (年度评估): the office's texts and assessment rules for a year, its frozen snapshot once
final, the adjustments of departments' scores, and the PDF files generated from it."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from targets.models import Plan

from . import scoring
from .changes import DocumentChange
from .files import GeneratedFile

DEFAULT_SCHEME = scoring.Scheme()


def _percent(label, default):
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=1,
        default=default,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )


class AnnualEvaluation(models.Model):
    """One plan's evaluation of one year. Draft: texts and rules editable, data read live. Final: data frozen."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("plan"))
    year = models.PositiveSmallIntegerField(_("year"))
    introduction = models.TextField(_("introduction"), blank=True)
    conclusions = models.TextField(_("conclusions and next steps"), blank=True)
    weight_timeliness = _percent(_("weight of reporting timeliness (%)"), DEFAULT_SCHEME.weight_timeliness)
    weight_tasks = _percent(_("weight of led tasks' progress (%)"), DEFAULT_SCHEME.weight_tasks)
    weight_targets = _percent(_("weight of reported targets' status (%)"), DEFAULT_SCHEME.weight_targets)
    weight_responsiveness = _percent(
        _("weight of responsiveness to supervision notices (%)"), DEFAULT_SCHEME.weight_responsiveness
    )
    late_credit = _percent(_("points for a late report"), DEFAULT_SCHEME.late_credit)
    band_excellent = _percent(_("lowest score rated excellent"), DEFAULT_SCHEME.band_excellent)
    band_good = _percent(_("lowest score rated good"), DEFAULT_SCHEME.band_good)
    band_pass = _percent(_("lowest score rated pass"), DEFAULT_SCHEME.band_pass)
    is_final = models.BooleanField(_("final"), default=False)
    snapshot = models.JSONField(_("frozen data"), null=True, blank=True, editable=False)
    finalized_at = models.DateTimeField(_("made final at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("annual evaluation")
        verbose_name_plural = _("annual evaluations")
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="one_evaluation_per_plan_year")]

    def __str__(self):
        return f"{self.plan.title} {self.year}"

    @property
    def scheme(self) -> scoring.Scheme:
        return scoring.Scheme(**{name: float(getattr(self, name)) for name in SCHEME_FIELDS})


SCHEME_FIELDS = (
    "weight_timeliness",
    "weight_tasks",
    "weight_targets",
    "weight_responsiveness",
    "late_credit",
    "band_excellent",
    "band_good",
    "band_pass",
)


class ScoreAdjustment(models.Model):
    """The office's correction of one unit's score, never without a reason; changes are kept in the history."""

    evaluation = models.ForeignKey(AnnualEvaluation, on_delete=models.CASCADE, related_name="adjustments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    points = models.DecimalField(
        _("points added"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(-20), MaxValueValidator(20)],
        help_text=_("Between −20 and +20; negative lowers the score."),
    )
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("score adjustment")
        verbose_name_plural = _("score adjustments")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "department"], name="one_adjustment_per_unit_year")
        ]

    def __str__(self):
        return f"{self.department} {self.points:+}"


class EvaluationChange(DocumentChange):
    """History of the office's edits: who, when, which field (or unit's adjustment), before and after."""

    PARENT = "evaluation"

    evaluation = models.ForeignKey(AnnualEvaluation, on_delete=models.CASCADE, related_name="changes")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta(DocumentChange.Meta):
        verbose_name = _("evaluation change")
        verbose_name_plural = _("evaluation changes")

    @property
    def field_label(self) -> str:
        if self.field == "adjustment":
            return str(_("score adjustment"))
        return super().field_label


class ReportFile(GeneratedFile):
    PARENT = "evaluation"

    evaluation = models.ForeignKey(AnnualEvaluation, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to="evaluation/", blank=True)

    class Meta(GeneratedFile.Meta):
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
