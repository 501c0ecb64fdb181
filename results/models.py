"""Result tables written by jobs: per-quarter series, and the per-quarter views every reader queries.

The engine writes TargetSeries, TaskSeries and RollupSeries, one row per target, task or group (results.series).
TargetResult, TaskResult and Rollup are the views over them, a row per quarter: read-only (managed = False, their
relations DO_NOTHING so that deleting a target or a quarter never tries to delete from a view).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from indicators.models import FIGURE_KIND_LABELS, FigureKindChoices, Target, figures_beside
from progress.authority import FigureKind
from progress.maths import Status
from targets.models import Area, Plan, Task
from tasks.models import QuarterlyReport, ReportingPeriod

from .series import Series

STATUS_LABELS = {
    Status.ACHIEVED: _("Achieved"),
    Status.ON_TRACK: _("On track"),
    Status.AT_RISK: _("At risk"),
    Status.OFF_TRACK: _("Off track"),
    Status.NO_DATA: _("No data"),
    Status.BASELINE_MISSING: _("Baseline missing"),
    Status.AWAITING_CITY: _("Awaiting the city's value"),
    Status.MET_BY_DATE: _("Met by its date"),
    Status.MISSED_BY_DATE: _("Missed by its date"),
}
# The statuses are the maths' (progress.maths.Status); only their words are added here.
TargetStatus = models.TextChoices("TargetStatus", [(s.name, (s.value, STATUS_LABELS[s])) for s in Status])


class TargetResult(models.Model):
    """A target as of a quarter: the view of TargetSeries at the quarter's position."""

    target = models.ForeignKey(Target, on_delete=models.DO_NOTHING, related_name="results", verbose_name=_("target"))
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.DO_NOTHING, related_name="target_results", verbose_name=_("as of")
    )
    status = models.CharField(_("status"), max_length=20, choices=TargetStatus.choices)
    target_value = models.FloatField(_("target value"), null=True)
    latest_value = models.FloatField(_("latest approved value"), null=True)
    judged_value = models.FloatField(
        _("value judged at the target's date"),
        null=True,
        help_text=_("Set once the target's date has passed: the value its final verdict was given on."),
    )
    progress = models.FloatField(_("progress"), null=True, help_text=_("Share of the way from baseline to target."))
    expected = models.FloatField(_("expected progress"), null=True)
    forecast = models.FloatField(_("forecast at the target date"), null=True)
    forecast_meets = models.BooleanField(_("forecast meets the target"), null=True)
    baseline_value = models.FloatField(
        _("baseline"),
        null=True,
        help_text=_("Where the expected path starts: the office's baseline, else the first value."),
    )
    baseline_on = models.DateField(_("baseline date"), null=True)
    latest_kind = models.CharField(
        _("kind of the latest value"), max_length=16, choices=FigureKindChoices.choices, blank=True
    )
    latest_figures = models.JSONField(
        _("every kind known for the latest value's quarter"),
        default=dict,
        help_text=_("Filled when more than one kind is known: the figures shown beside the one that counts."),
    )
    judged_kind = models.CharField(
        _("kind of the value judged at the target's date"), max_length=16, choices=FigureKindChoices.choices, blank=True
    )
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        managed = False  # a view: results_targetresult over results_targetseries
        verbose_name = _("target result")
        verbose_name_plural = _("target results")

    def __str__(self):
        return f"{self.target_id} @ {self.period_id}: {self.status}"

    @property
    def latest_kind_label(self) -> str:
        return str(FIGURE_KIND_LABELS[FigureKind(self.latest_kind)]) if self.latest_kind else ""

    @property
    def judged_kind_label(self) -> str:
        return str(FIGURE_KIND_LABELS[FigureKind(self.judged_kind)]) if self.judged_kind else ""

    def figures_beside(self, unit: str = "") -> str:
        """部门报送 6.8 %，统计核实 6.5 %: every kind known for the latest value's quarter, when they say different
        things (empty when one kind is known, or all agree). The one rule every page, the API and the PDF use."""
        return figures_beside(self.latest_figures or {}, unit)


class TaskResult(models.Model):
    """A task as of a quarter: the view of TaskSeries at the quarter's position."""

    task = models.ForeignKey(Task, on_delete=models.DO_NOTHING, related_name="results", verbose_name=_("task"))
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.DO_NOTHING, related_name="task_results", verbose_name=_("as of")
    )
    status = models.CharField(_("status"), max_length=20)
    percent_complete = models.PositiveSmallIntegerField(_("percent complete"), null=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    co_departments = models.JSONField(_("co-departments' updates"), default=list)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        managed = False  # a view: results_taskresult over results_taskseries
        verbose_name = _("task result")
        verbose_name_plural = _("task results")

    def __str__(self):
        return f"{self.task_id} @ {self.period_id}: {self.status}"


class Rollup(models.Model):
    """Counts by status for the whole plan, one action area or one department, as of a quarter: the view of
    RollupSeries at the quarter's position."""

    class Scope(models.TextChoices):
        PLAN = "plan", _("Whole plan")
        AREA = "area", _("Action area")
        DEPARTMENT = "department", _("Department")

    plan = models.ForeignKey(Plan, on_delete=models.DO_NOTHING, related_name="rollups", verbose_name=_("plan"))
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.DO_NOTHING, related_name="rollups", verbose_name=_("as of")
    )
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    area = models.ForeignKey(Area, on_delete=models.DO_NOTHING, null=True, related_name="rollups")
    department = models.ForeignKey(Department, on_delete=models.DO_NOTHING, null=True, related_name="rollups")
    targets = models.JSONField(_("targets by status"), default=dict)
    tasks = models.JSONField(_("tasks by status"), default=dict)
    timeliness = models.JSONField(_("reporting timeliness"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        managed = False  # a view: results_rollup over results_rollupseries
        verbose_name = _("rollup")
        verbose_name_plural = _("rollups")

    def __str__(self):
        return f"{self.scope} {self.area_id or self.department_id or ''} @ {self.period_id}"


# --- the series the engine writes (results.series) -------------------------------------------------------------


class SeriesRow(models.Model):
    """What every series row has: where its series starts, and when the engine last wrote it."""

    first_quarter = models.IntegerField(
        _("first quarter"), help_text=_("The position (year × 4 + quarter − 1) of the series' first element.")
    )
    computed_at = models.DateTimeField(
        _("computed at"), help_text=_("When the engine last wrote the series, for any of its quarters.")
    )

    class Meta:
        abstract = True


class TargetSeries(SeriesRow):
    """A target's results, quarter by quarter: the columns of TargetResult as series."""

    target = models.OneToOneField(Target, on_delete=models.CASCADE, related_name="series", verbose_name=_("target"))
    status = Series(of="text")
    target_value = Series(of="float8")
    latest_value = Series(of="float8")
    progress = Series(of="float8")
    expected = Series(of="float8")
    forecast = Series(of="float8")
    forecast_meets = Series(of="boolean")
    judged_value = Series(of="float8")
    baseline_value = Series(of="float8")
    baseline_on = Series(of="date")
    latest_kind = Series(of="text")
    latest_figures = models.JSONField(default=list)
    judged_kind = Series(of="text")

    class Meta:
        verbose_name = _("target's results by quarter")
        verbose_name_plural = _("targets' results by quarter")

    def __str__(self):
        return f"target {self.target_id} from {self.first_quarter}"


class TaskSeries(SeriesRow):
    """A task's results, quarter by quarter: the columns of TaskResult as series."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="series", verbose_name=_("task"))
    status = Series(of="text")
    percent_complete = Series(of="smallint")
    overdue = Series(of="boolean")
    # The co-departments' updates are not stored: the view results_taskresult reads them from the approved task
    # updates (migration 0009), as TaskResult.co_departments.

    class Meta:
        verbose_name = _("task's results by quarter")
        verbose_name_plural = _("tasks' results by quarter")

    def __str__(self):
        return f"task {self.task_id} from {self.first_quarter}"


class RollupSeries(SeriesRow):
    """A group's counts, quarter by quarter: the columns of Rollup as series (JSON arrays of the counts)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+", verbose_name=_("plan"))
    scope = models.CharField(_("scope"), max_length=16, choices=Rollup.Scope.choices)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, null=True, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, null=True, related_name="+")
    targets = models.JSONField(default=list)
    tasks = models.JSONField(default=list)
    timeliness = models.JSONField(default=list)

    class Meta:
        verbose_name = _("group's counts by quarter")
        verbose_name_plural = _("groups' counts by quarter")
        constraints = [
            models.UniqueConstraint(fields=["plan"], condition=models.Q(scope="plan"), name="rollup_series_plan"),
            models.UniqueConstraint(
                fields=["plan", "area"], condition=models.Q(scope="area"), name="rollup_series_area"
            ),
            models.UniqueConstraint(
                fields=["plan", "department"], condition=models.Q(scope="department"), name="rollup_series_department"
            ),
        ]

    def __str__(self):
        return f"{self.scope} {self.area_id or self.department_id or ''} from {self.first_quarter}"


class ComputationRun(models.Model):
    """One recompute: a crashed run stays visible as 'running' with no end, and re-running is safe."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full recompute")
        INCREMENTAL = "incremental", _("After an approval")
        OVERDUE = "overdue", _("Overdue detection")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, null=True, related_name="+", verbose_name=_("plan"))
    inputs = models.CharField(
        _("inputs"),
        max_length=64,
        blank=True,
        help_text=_("Digest of what a full recompute read: the next one passes over the plan while it is unchanged."),
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True)
    covered = models.JSONField(_("what it covered"), default=dict)
    rows_written = models.PositiveIntegerField(
        _("rows written"),
        default=0,
        help_text=_("Series rows: one per target, task or group whose results changed (per quarter before 2026-12)."),
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("computation run")
        verbose_name_plural = _("computation runs")
        ordering = ["-started_at"]
        indexes = [
            # A plan's newest finished run: the overview's cache key (results.selectors.last_recompute).
            models.Index(fields=["plan", "finished_at"], name="run_plan_finished"),
            # Each plan's latest trusted full run: what the nightly run compares inputs with (fingerprints).
            models.Index(
                fields=["plan", "id"],
                condition=models.Q(kind="full", finished_at__isnull=False, error=""),
                name="run_plan_full_done",
            ),
            models.Index(fields=["started_at"], name="run_started"),  # pruning by age
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}"


class FillState(models.Model):
    """The state of a plan's results, as Zulip's analytics keep a FillState per statistic: a full recompute marks
    its plan STARTED, committed on its own before any work, and DONE in the transaction of its writes.

    A plan found STARTED was left by a run that crashed or was killed. Its writes are one transaction today, so the
    rows themselves were rolled back; what the mark guards is what lies outside that transaction and what may come:
    the run's own record (ComputationRun, whose inputs the next run trusts), the rows a run of only the later
    quarters takes as they are, and writes split into several transactions (chunked COPY, issue 18). So the next
    full run trusts neither its stored rows nor its fingerprints, and recomputes it in full, every quarter: the
    crash is undone, never trusted. A plan with no fill state (none of its full runs since this existed) is judged
    by its fingerprints alone."""

    class State(models.TextChoices):
        STARTED = "started", _("Started: not finished yet, or crashed")
        DONE = "done", _("Done")

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="+", verbose_name=_("plan"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices)
    run = models.ForeignKey(
        ComputationRun,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("run"),
        help_text=_("The full recompute that set this state."),
    )
    engine_version = models.PositiveSmallIntegerField(_("engine version"))
    changed_at = models.DateTimeField(_("state changed at"))

    class Meta:
        verbose_name = _("fill state of a plan's results")
        verbose_name_plural = _("fill states of the plans' results")
        ordering = ["plan"]

    def __str__(self):
        return f"{self.plan_id}: {self.state}"


class RunSummary(models.Model):
    """Runs older than a year, counted by month, kind and plan: what pruning ComputationRun keeps of them."""

    month = models.DateField(_("month"), help_text=_("The first day of the month the runs started in."))
    kind = models.CharField(_("kind"), max_length=16, choices=ComputationRun.Kind.choices)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, null=True, related_name="+", verbose_name=_("plan"))
    runs = models.PositiveIntegerField(_("runs"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    unfinished = models.PositiveIntegerField(_("unfinished"), default=0)
    rows_written = models.BigIntegerField(_("rows written"), default=0)
    seconds = models.FloatField(_("seconds spent by finished runs"), default=0.0)

    class Meta:
        verbose_name = _("summary of past runs")
        verbose_name_plural = _("summaries of past runs")
        ordering = ["-month", "kind"]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.kind}: {self.runs}"


class PendingRecompute(models.Model):
    """Written in the approval's own transaction, so a broker outage delays the recompute but never loses it."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("pending recompute")
        verbose_name_plural = _("pending recomputes")

    def __str__(self):
        return f"report {self.report_id}"
