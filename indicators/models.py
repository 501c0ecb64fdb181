"""What the plan measures (indicators) and what it promises for them (targets), each with its quote."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from progress.authority import Authority, FigureKind
from targets.models import Plan, Task

# The kinds of figure and the authority rules are the maths' (progress.authority); only their words are added here.
FIGURE_KIND_LABELS = {
    FigureKind.REPORTED: _("Reported by the department"),
    FigureKind.PROVISIONAL: _("Provisional official figure"),
    FigureKind.FINAL: _("Final official figure"),
}
FigureKindChoices = models.TextChoices(
    "FigureKindChoices", [(k.name, (k.value, FIGURE_KIND_LABELS[k])) for k in FigureKind]
)


def figures_beside(figures: dict[str, float], unit: str = "") -> str:
    """部门报送 6.8 %，统计核实 6.5 %: a quarter's figures of every kind ({kind: value}), when they say different
    things (empty when one kind is known, or all agree). Every page, the API and the PDF write them this way."""
    if len(set(figures.values())) < 2:
        return ""
    suffix = f" {unit}" if unit else ""
    return "，".join(
        f"{FIGURE_KIND_LABELS[kind]} {_number(figures[kind])}{suffix}" for kind in FigureKind if kind in figures
    )


def _number(value: float) -> str:
    """6.5, 12,000.25: at most two decimals, as the pages' floatformat shows them."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


AUTHORITY_LABELS = {
    Authority.OFFICIAL_FIRST: _("Official figure when present, else provisional, else the department's report"),
    Authority.OFFICIAL_ONLY: _("Official figures only (final, else provisional)"),
    Authority.REPORTED_ONLY: _("The department's report only"),
}
AuthorityChoices = models.TextChoices("AuthorityChoices", [(a.name, (a.value, AUTHORITY_LABELS[a])) for a in Authority])


class Indicator(models.Model):
    class ValueKind(models.TextChoices):
        STOCK = "stock", _("Stock (level at a date)")
        CUMULATIVE = "cumulative", _("Cumulative total")
        RATE = "rate", _("Rate or share")

    class Direction(models.TextChoices):
        UP = "up", _("Higher is better")
        DOWN = "down", _("Lower is better")
        NONE = "none", _("No direction")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("plan"))
    code = models.SlugField(_("code"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    value_kind = models.CharField(_("value kind"), max_length=16, choices=ValueKind.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    reporting_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="reported_indicators",
        verbose_name=_("reporting department"),
        help_text=_("Reports the values; the lead of the target's task unless the office changes it."),
    )
    order = models.PositiveSmallIntegerField(_("order"))
    min_value = models.DecimalField(_("lowest plausible value"), max_digits=14, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(
        _("highest plausible value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    change_warning_share = models.DecimalField(
        _("change needing an explanation"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.30"),
        help_text=_("A quarterly value that moves by more than this share from the last one must be explained."),
    )
    baseline_value = models.DecimalField(_("baseline value"), max_digits=14, decimal_places=4, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    authority = models.CharField(
        _("figure that judges the targets"),
        max_length=16,
        choices=AuthorityChoices.choices,
        default=Authority.OFFICIAL_FIRST.value,
    )
    official_source = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="official_indicators",
        verbose_name=_("unit providing official figures"),
        help_text=_("Publishes the provisional and final figures, such as 区统计局; its members may record them."),
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="indicator_unique_code")]

    def __str__(self):
        return self.name

    @property
    def is_milestone(self) -> bool:
        """No unit and no target with a number: reported as reached or not, with a description."""
        return not self.unit and all(t.value is None for t in self.targets.all())


class Period(models.TextChoices):
    """The horizon a target names, in the plan's own words."""

    Y2025 = "2025", _("By 2025")
    Y2030 = "2030", _("By 2030")
    FYP14 = "十四五", _("14th Five-Year Plan (2021–2025)")
    FYP15 = "十五五", _("15th Five-Year Plan (2026–2030)")
    BEFORE_2030 = "2030年前", _("Before 2030")
    UNSTATED = "未明确", _("Not stated")


PERIOD_END_YEAR = {
    Period.Y2025: 2025,
    Period.Y2030: 2030,
    Period.FYP14: 2025,
    Period.FYP15: 2030,
    Period.BEFORE_2030: 2030,
    Period.UNSTATED: None,
}


class Comparator(models.TextChoices):
    GTE = "gte", "≥"
    GT = "gt", ">"
    LTE = "lte", "≤"
    LT = "lt", "<"
    EQ = "eq", "="
    APPROX = "approx", "≈"
    INCREASE = "increase", _("Increase")
    DECREASE = "decrease", _("Decrease")
    MILESTONE = "milestone", _("Milestone")
    CITY_ASSIGNED = "city_assigned", _("Value assigned by the city")


NUMERIC_COMPARATORS = (Comparator.GTE, Comparator.GT, Comparator.LTE, Comparator.LT, Comparator.EQ, Comparator.APPROX)


QUOTE_SHOWN = 24  # characters of the plan's words shown beside a target's name


class Target(models.Model):
    """One promise of the plan about one indicator, tied to the phrase that makes it."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indicator")
    )
    task = models.ForeignKey(
        Task,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("task"),
        help_text=_("Empty for the plan's main objectives (主要目标)."),
    )
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    comparator = models.CharField(_("comparator"), max_length=16, choices=Comparator.choices)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year"),
        null=True,
        blank=True,
        help_text=_("For targets relative to a year, such as 比2020年下降5%."),
    )
    is_aspirational = models.BooleanField(_("aspirational (力争/争取)"), default=False)
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("A non-numeric yardstick such as 全市平均水平.")
    )
    quote = models.TextField(_("quote from the plan"))
    order = models.PositiveSmallIntegerField(_("order"))
    assigned_document = models.CharField(
        _("document assigning the value"),
        max_length=200,
        blank=True,
        help_text=_("For targets assigned by the city: the document the office took the value from."),
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator__plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "order"], name="target_unique_order"),
            models.CheckConstraint(
                condition=~Q(comparator__in=[c.value for c in NUMERIC_COMPARATORS]) | Q(value__isnull=False),
                name="target_numeric_has_value",
            ),
            models.CheckConstraint(
                condition=Q(baseline_year__isnull=True) | Q(value__isnull=False),
                name="target_relative_has_value",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.name} {self.get_period_display()} {self.display_value}"

    def get_absolute_url(self):
        return reverse("dashboard:target-list", args=[self.indicator.plan.code]) + f"#target-{self.pk}"

    @property
    def target_year(self) -> int | None:
        return PERIOD_END_YEAR[Period(self.period)]

    @property
    def is_relative(self) -> bool:
        return self.baseline_year is not None

    @property
    def distinction(self) -> str:
        """What tells this target from the indicator's others wherever targets are listed (two say 到2025年 for
        装机容量, four 煤炭消费总量): 力争, the task or 主要目标, and the opening of the plan's own words."""
        words = self.quote.replace("“", "‘").replace("”", "’")  # quotes inside a quote, as Chinese nests them
        words = words if len(words) <= QUOTE_SHOWN else words[: QUOTE_SHOWN - 1] + "…"
        parts = [
            str(_("aspirational (力争)")) if self.is_aspirational else "",
            self.task.code if self.task_id else str(_("Main objectives")),
            f"“{words}”",
        ]
        return " · ".join(p for p in parts if p)

    @property
    def unit(self) -> str:
        """Relative targets are a percentage change; others share the indicator's unit."""
        return "%" if self.is_relative else self.indicator.unit

    @property
    def display_value(self) -> str:
        if self.value is None:
            return ""
        return format(self.value.normalize(), "f")
