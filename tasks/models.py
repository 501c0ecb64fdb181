"""Quarterly reports: each unit's account of its tasks and indicators, their review, and their history."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from indicators.models import FigureKindChoices, Indicator
from progress.authority import FigureKind
from progress.timeliness import Timeliness
from targets.models import Plan, Task

from .evidence import stored_name


class PeriodQuerySet(models.QuerySet):
    """Quarter order lives here, once: by year, then quarter (never by label, where "2030Q4" > "2026Q3" by luck)."""

    def chronological(self, *, newest_first: bool = False) -> PeriodQuerySet:
        return self.order_by(*quarter_order(newest_first=newest_first))

    def up_to(self, period: ReportingPeriod) -> PeriodQuerySet:
        """This quarter and every earlier one."""
        return self._through(period.year, period.quarter)

    def ended(self, today: dt.date) -> PeriodQuerySet:
        """Quarters that have ended by `today`: the last of them is the one being reported."""
        return self._through(*last_ended_quarter(today))

    def _through(self, year: int, quarter: int) -> PeriodQuerySet:
        return self.filter(models.Q(year__lt=year) | models.Q(year=year, quarter__lte=quarter))


def quarter_order(path: str = "", *, newest_first: bool = False) -> tuple[str, str]:
    """order_by() fields that sort rows by their quarter; `path` leads to the period ("report__period")."""
    sign, prefix = "-" if newest_first else "", f"{path}__" if path else ""
    return f"{sign}{prefix}year", f"{sign}{prefix}quarter"


class ReportingPeriod(models.Model):
    """A quarter to report on, with the window the office sets for it."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=[(q, f"Q{q}") for q in range(1, 5)])
    opens_on = models.DateField(_("opens on"))
    due_on = models.DateField(_("due on"))
    is_open = models.BooleanField(_("open for reporting"), default=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = [*quarter_order(newest_first=True)]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="period_unique_quarter"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="period_quarter_1_to_4"),
            models.CheckConstraint(condition=models.Q(due_on__gte=models.F("opens_on")), name="period_due_after_open"),
        ]

    def __str__(self):
        return quarter_label(self.year, self.quarter)

    @property
    def ends_on(self) -> dt.date:
        return quarter_end(self.year, self.quarter)

    @property
    def key(self) -> tuple[int, int]:
        """(year, quarter): compares quarters in Python as `PeriodQuerySet` orders them in the database."""
        return (self.year, self.quarter)

    def is_overdue(self, today: dt.date) -> bool:
        return today > self.due_on


def quarter_label(year: int, quarter: int) -> str:
    return _("%(year)s Q%(quarter)s") % {"year": year, "quarter": quarter}


DUE_DAYS_AFTER_QUARTER = 10


def default_window(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """Reporting opens in the quarter's last month and is due on the 10th day after the quarter ends."""
    end = quarter_end(year, quarter)
    return end.replace(day=1), end + dt.timedelta(days=DUE_DAYS_AFTER_QUARTER)


def last_ended_quarter(today: dt.date) -> tuple[int, int]:
    """(year, quarter) of the newest quarter that has ended by `today`: the one before today's (a quarter ends with
    its last day, so on 31 December the fourth quarter is still under way)."""
    quarter = (today.month - 1) // 3 + 1
    return (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)


def quarter_ordinal(year: int, quarter: int) -> int:
    """Quarters counted one by one across years: consecutive quarters differ by 1 (2026 Q4 + 1 is 2027 Q1)."""
    return year * 4 + quarter - 1


def quarter_from_ordinal(ordinal: int) -> tuple[int, int]:
    """The (year, quarter) of a `quarter_ordinal`."""
    return ordinal // 4, ordinal % 4 + 1


def quarter_end(year: int, quarter: int) -> dt.date:
    if quarter == 4:
        return dt.date(year, 12, 31)
    return dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_SIGNOFF = "awaiting_signoff", _("Awaiting head sign-off")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)

TIMELINESS_LABELS = {
    Timeliness.ON_TIME: _("On time"),
    Timeliness.LATE: _("Late"),
    Timeliness.MISSING: _("Missing"),
    Timeliness.NOT_YET_DUE: _("Not yet due"),
}


class QuarterlyReport(models.Model):
    """One unit's report for one quarter of one plan."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reports", verbose_name=_("plan"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="reports", verbose_name=_("department")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="reports", verbose_name=_("period")
    )
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised by every save, so a stale form cannot overwrite a newer one.")
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    is_late = models.BooleanField(_("late"), default=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    office_comment = models.TextField(_("review comment"), blank=True, help_text=_("Why it was returned or reopened."))
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("updated by")
    )

    class Meta:
        verbose_name = _("quarterly report")
        verbose_name_plural = _("quarterly reports")
        ordering = [*quarter_order("period", newest_first=True), "department__name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "department", "period"], name="report_one_per_quarter"),
        ]

    def __str__(self):
        return f"{self.department} · {self.period}"

    def get_absolute_url(self):
        return reverse("tasks:report-detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    BEHIND = "behind", _("Behind schedule")


class TaskUpdate(models.Model):
    """A unit's own part of a task for the quarter; lead and co-owners each write one."""

    report = models.ForeignKey(
        QuarterlyReport, on_delete=models.CASCADE, related_name="task_updates", verbose_name=_("report")
    )
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="updates", verbose_name=_("task"))
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, blank=True)
    percent_complete = models.PositiveSmallIntegerField(_("percent complete"), null=True, blank=True)
    work_done = models.TextField(_("work done this quarter"), blank=True)
    problems = models.TextField(_("problems met"), blank=True)
    next_steps = models.TextField(_("plan for next quarter"), blank=True)
    major_problem = models.BooleanField(
        _("major problem"),
        default=False,
        help_text=_("The office sees it at once; the plan asks for it to reach the city."),
    )
    carried_over = models.BooleanField(
        _("carried over from last quarter"),
        default=False,
        help_text=_("Prefilled from the last approved quarter and not yet confirmed or changed by the unit."),
    )

    class Meta:
        verbose_name = _("task update")
        verbose_name_plural = _("task updates")
        ordering = ["report", "task__area__order", "task__number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "task"], name="task_update_one_per_report"),
            models.CheckConstraint(
                condition=models.Q(percent_complete__isnull=True) | models.Q(percent_complete__lte=100),
                name="task_update_percent_0_100",
            ),
        ]

    def __str__(self):
        return f"{self.report} · {self.task.code}"


def evidence_path(instance: Evidence, filename: str) -> str:
    """A generated name: the user's (kept in original_name) may be 500 bytes in 124 characters, or a path."""
    return f"evidence/{instance.task_update.report_id}/{stored_name(filename)}"


class Evidence(models.Model):
    """A supporting file; stored outside the static root and served only to those who may see the report."""

    task_update = models.ForeignKey(
        TaskUpdate, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("task update")
    )
    file = models.FileField(_("file"), upload_to=evidence_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class IndicatorValueQuerySet(models.QuerySet):
    def current(self) -> IndicatorValueQuerySet:
        """The newest version of each figure: a report's working rows, the latest of each official figure."""
        return self.filter(superseded_by__isnull=True)

    def known(self, at: dt.datetime | None = None) -> IndicatorValueQuerySet:
        """The versions known at `at` (now when None): approved or recorded by then and not yet superseded."""
        if at is None:
            return self.filter(valid_from__isnull=False, superseded_at__isnull=True)
        return self.filter(valid_from__lte=at).filter(
            models.Q(superseded_at__isnull=True) | models.Q(superseded_at__gt=at)
        )

    def reported(self) -> IndicatorValueQuerySet:
        return self.filter(kind=FigureKind.REPORTED)

    def official(self) -> IndicatorValueQuerySet:
        return self.exclude(kind=FigureKind.REPORTED)


# What a version says: once it is known (valid_from set) none of these change; a correction is a new version.
FROZEN_FIELDS = (
    "report_id",
    "indicator_id",
    "period_id",
    "kind",
    "version",
    "value",
    "reached",
    "data_source",
    "note",
    "change_explanation",
    "valid_from",
    "source_issuer",
    "source_title",
    "source_date",
)


class ApprovedValueChanged(Exception):
    """A code path tried to change a figure that is already known; it must write a new version instead."""


class IndicatorValue(models.Model):
    """One version of one figure of an indicator for a quarter: a department's report, or an official release.

    A version is known from `valid_from` (its report's approval, or the recording of an official figure) until
    `superseded_at` (a reopening, or a newer release); `superseded_by` points to the version that replaces it.
    Known versions are never changed: see FROZEN_FIELDS and progress.authority.
    """

    report = models.ForeignKey(
        QuarterlyReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicator_values",
        verbose_name=_("report"),
        help_text=_("Empty for an official figure."),
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", verbose_name=_("indicator")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="indicator_values", verbose_name=_("period")
    )
    kind = models.CharField(
        _("kind of figure"), max_length=16, choices=FigureKindChoices.choices, default=FigureKind.REPORTED.value
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True, blank=True)
    reached = models.BooleanField(_("milestone reached"), null=True, blank=True)
    data_source = models.CharField(_("data source"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    change_explanation = models.TextField(_("explanation of a large change"), blank=True)
    source_issuer = models.CharField(_("issued by"), max_length=100, blank=True)
    source_title = models.CharField(_("document (title or 文号)"), max_length=200, blank=True)
    source_date = models.DateField(_("document date"), null=True, blank=True)
    valid_from = models.DateTimeField(
        _("known from"), null=True, blank=True, help_text=_("Its report's approval, or when it was recorded.")
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    superseded_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    reason = models.TextField(_("reason for this version"), blank=True)

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["report", "indicator__order", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator", "version"],
                condition=models.Q(report__isnull=False),
                name="indicator_value_version_per_report",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "kind", "version"],
                condition=models.Q(report__isnull=True),
                name="official_value_version",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=FigureKind.REPORTED.value, report__isnull=False)
                | (~models.Q(kind=FigureKind.REPORTED.value) & models.Q(report__isnull=True)),
                name="indicator_value_report_iff_reported",
            ),
            models.CheckConstraint(
                condition=models.Q(superseded_at__isnull=True) | models.Q(valid_from__isnull=False),
                name="indicator_value_superseded_after_known",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "period", "kind"], name="indicator_value_figure"),
        ]

    def __str__(self):
        where = self.report if self.report_id else f"{self.period} · {self.get_kind_display()}"
        return f"{where} · {self.indicator}"

    def save(self, *args, **kwargs):
        if self._state.adding and self.report_id is not None:
            # A row written straight into a report (scripts, fixtures) takes its quarter, and is known from the
            # report's approval when the report is approved already.
            self.period_id = self.period_id or self.report.period_id
            if self.valid_from is None and self.report.status == ReportStatus.APPROVED:
                self.valid_from = self.report.approved_at or timezone.now()
        if self.pk is not None and not self._state.adding:
            self._refuse_changing_a_known_version(kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def _refuse_changing_a_known_version(self, update_fields) -> None:
        stored = IndicatorValue.objects.filter(pk=self.pk).values(*FROZEN_FIELDS).first()
        if stored is None or stored["valid_from"] is None:
            return
        names = (
            FROZEN_FIELDS
            if update_fields is None
            else [f for f in FROZEN_FIELDS if f.removesuffix("_id") in {u.removesuffix("_id") for u in update_fields}]
        )
        if any(getattr(self, name) != stored[name] for name in names):
            raise ApprovedValueChanged(f"indicator value {self.pk} is known since {stored['valid_from']}")

    def is_current(self, at: dt.datetime | None = None) -> bool:
        """Whether this version is the one known at `at` (now when None): the rule of `known()`, on a fetched row."""
        if self.valid_from is None or (at is not None and self.valid_from > at):
            return False
        return self.superseded_at is None or (at is not None and self.superseded_at > at)

    @property
    def is_official(self) -> bool:
        return self.kind != FigureKind.REPORTED

    @property
    def source_line(self) -> str:
        """区统计局《2025年宁河区国民经济和社会发展统计公报》2026-03-20: the document an official figure is from."""
        parts = [self.source_issuer, self.source_title, self.source_date.isoformat() if self.source_date else ""]
        return " ".join(p for p in parts if p)


class ReportEvent(models.Model):
    """One step in a report's life: who did what, when, and why."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        SAVE = "save", _("Saved draft")
        SUBMIT = "submit", _("Submitted")
        SIGN_OFF = "sign_off", _("Signed off by the head")
        APPROVE = "approve", _("Approved")
        RETURN = "return", _("Returned for revision")
        REOPEN = "reopen", _("Reopened by the office")
        UPLOAD = "upload", _("Attached evidence")
        IMPORT = "import", _("Imported from a spreadsheet")
        DISMISS_FLAG = "dismiss_flag", _("Dismissed a check prompt")

    report = models.ForeignKey(
        QuarterlyReport, on_delete=models.CASCADE, related_name="events", verbose_name=_("report")
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)
    status_before = models.CharField(_("status before"), max_length=20, choices=ReportStatus.choices, blank=True)
    status_after = models.CharField(_("status after"), max_length=20, choices=ReportStatus.choices)
    version = models.PositiveIntegerField(_("version after"))

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report history")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.report} · {self.get_action_display()}"


EVIDENCE_FIELD = "evidence"
QUALITY_FLAG_FIELD = "quality_flag"


class FieldChange(models.Model):
    """One field's before and after within an event, findable from its task or indicator."""

    event = models.ForeignKey(ReportEvent, on_delete=models.CASCADE, related_name="changes", verbose_name=_("event"))
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, null=True, blank=True, related_name="changes", verbose_name=_("task")
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("indicator"),
    )
    field = models.CharField(_("field"), max_length=50)
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)

    class Meta:
        verbose_name = _("field change")
        verbose_name_plural = _("field changes")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.field}: {self.before} → {self.after}"

    def _model_field(self):
        """The TaskUpdate or IndicatorValue field this change is about; None for an attached file."""
        if self.field in (EVIDENCE_FIELD, QUALITY_FLAG_FIELD):
            return None
        model = IndicatorValue if self.indicator_id else TaskUpdate
        try:
            return model._meta.get_field(self.field)
        except FieldDoesNotExist:
            return None

    def _display(self, raw: str) -> str:
        """Choice values shown as their labels (推进中, not in_progress)."""
        choices = dict(getattr(self._model_field(), "choices", None) or ())
        return str(choices.get(raw, raw))

    @property
    def before_display(self) -> str:
        return self._display(self.before)

    @property
    def after_display(self) -> str:
        return self._display(self.after)

    @property
    def field_label(self) -> str:
        if self.field == EVIDENCE_FIELD:
            return str(Evidence._meta.verbose_name)
        if self.field == QUALITY_FLAG_FIELD:
            return str(QualityFlag._meta.verbose_name)
        field = self._model_field()
        return str(field.verbose_name) if field is not None else self.field


class Notice(models.Model):
    """A message on a department's home page (an overdue report, for instance)."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="notices", verbose_name=_("department")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, related_name="notices", verbose_name=_("period")
    )
    kind = models.CharField(_("kind"), max_length=16, default="overdue")
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [models.UniqueConstraint(fields=["department", "period", "kind"], name="notice_once_per_quarter")]

    def __str__(self):
        return self.message


class QualityFlag(models.Model):
    """A reason for the office to look twice at a submitted report; never an error, never a block.

    Computed when the report reaches the office (results.quality, which may read the engine's results);
    `detail` holds what the sentence needs, so it reads in the reader's language. A dismissal keeps who,
    when and why, here and in the report's history.
    """

    class Kind(models.TextChoices):
        TARGETS_LAG = "targets_lag", _("On course while its targets lag")
        PERCENT_DOWN = "percent_down", _("Percent complete went down")
        OFF_TREND = "off_trend", _("Far outside the indicator's trend")
        REPEATED_TEXT = "repeated_text", _("Same text as last quarter")
        FAR_FROM_OFFICIAL = "far_from_official", _("Far from the official figure")

    report = models.ForeignKey(
        QuarterlyReport, on_delete=models.CASCADE, related_name="quality_flags", verbose_name=_("report")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    detail = models.JSONField(_("detail"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dismissed by"),
    )
    dismissal_reason = models.TextField(_("reason for dismissing"), blank=True)

    class Meta:
        verbose_name = _("check prompt")
        verbose_name_plural = _("check prompts")
        ordering = ["report", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(task__isnull=True) ^ models.Q(indicator__isnull=True),
                name="quality_flag_on_a_task_or_an_indicator",
            ),
            models.UniqueConstraint(
                fields=["report", "kind", "task"],
                condition=models.Q(task__isnull=False),
                name="quality_flag_once_per_task",
            ),
            models.UniqueConstraint(
                fields=["report", "kind", "indicator"],
                condition=models.Q(indicator__isnull=False),
                name="quality_flag_once_per_indicator",
            ),
        ]

    def __str__(self):
        return f"{self.report} · {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.dismissed_at is None

    @property
    def subject(self) -> str:
        """What the flag is about: the task (code and title) or the indicator."""
        if self.task_id:
            return f"{self.task.code} {self.task.title}"
        return self.indicator.name

    @property
    def sentence(self) -> str:
        d = self.detail
        if self.kind == self.Kind.TARGETS_LAG:
            words = {"status": TaskStatus(d["status"]).label, "targets": d["targets"], "quarter": _quarter(d)}
            if d.get("final"):
                return _("Reported as %(status)s, but %(targets)s missed its date (%(quarter)s).") % words
            return _("Reported as %(status)s, but %(targets)s is off track as of %(quarter)s.") % words
        if self.kind == self.Kind.PERCENT_DOWN:
            return _("Percent complete went down from %(before)s%% (%(quarter)s) to %(after)s%%.") % {
                "before": d["before"],
                "after": d["after"],
                "quarter": _quarter(d),
            }
        if self.kind == self.Kind.OFF_TREND:
            return (
                _(
                    "%(value)s %(unit)s is far from this indicator's recent trend: its last %(n)s approved values "
                    "point to about %(expected)s, give or take %(band)s."
                )
                % d
            )
        if self.kind == self.Kind.REPEATED_TEXT:
            words = {"share": d["share"], "quarter": _quarter(d)}
            if d.get("confirmed"):
                return (
                    _(
                        "The work done this quarter is %(share)s%% the same text as in %(quarter)s; the unit ticked it "
                        "as checked and still true."
                    )
                    % words
                )
            return _("The work done this quarter is %(share)s%% the same text as in %(quarter)s.") % words
        return _("%(value)s %(unit)s is %(gap)s%% away from the latest official figure, %(official)s (%(source)s).") % d


def _quarter(detail: dict) -> str:
    return quarter_label(detail["year"], detail["quarter"])
