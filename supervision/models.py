"""Supervision notices (督办单): the office asks a unit to act on a lagging item, the unit answers, the office closes.

A notice is opened on one subject (a target, a task, a missing report, a reported 重大问题, or none) and keeps a
snapshot of the quarter's figures it was opened on, so later recomputes never change what the office saw. Every
change is a `NoticeStep` (who, when, status before and after, the text). Overdue is derived from the deadline and
the day (`Notice.is_overdue`, `NoticeQuerySet.overdue`), never stored, so it cannot go stale.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from departments.models import Department
from indicators.models import Target
from targets.models import Plan, Task
from tasks.evidence import stored_name
from tasks.models import ReportingPeriod, TaskUpdate

NUMBER_PREFIX = "宁碳督"


class Level(models.TextChoices):
    """In rising order: raise_level only moves down this list."""

    REMIND = "remind", _("Reminder")
    SUPERVISE = "supervise", _("Supervision")
    LISTED = "listed", _("Listed supervision")


LEVEL_ORDER = [Level.REMIND, Level.SUPERVISE, Level.LISTED]


class Status(models.TextChoices):
    OPEN = "open", _("Awaiting answer")
    ANSWERED = "answered", _("Answered")
    RETURNED = "returned", _("Returned")
    EXTENSION_REQUESTED = "extension", _("Extension requested")
    CLOSED = "closed", _("Closed")


# The unit still owes an answer: these pass their deadline and become 逾期. An extension request does not stop
# the clock until the office grants it.
AWAITING_UNIT = (Status.OPEN, Status.RETURNED, Status.EXTENSION_REQUESTED)


class SubjectKind(models.TextChoices):
    TARGET = "target", _("Target")
    TASK = "task", _("Task")
    MISSING_REPORT = "missing_report", _("Missing quarterly report")
    MAJOR_PROBLEM = "major_problem", _("Major problem")
    NONE = "none", _("Other matter")


class NoticeCounter(models.Model):
    """The last number given in a year: the opening service increments it under the row's lock."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("notice counter")
        verbose_name_plural = _("notice counters")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class NoticeQuerySet(models.QuerySet):
    def awaiting_unit(self) -> NoticeQuerySet:
        return self.filter(status__in=AWAITING_UNIT)

    def overdue(self, today: dt.date) -> NoticeQuerySet:
        """逾期: the unit still owes an answer and the deadline (the last day) has passed."""
        return self.awaiting_unit().filter(deadline__lt=today)

    def not_overdue(self, today: dt.date) -> NoticeQuerySet:
        return self.exclude(pk__in=self.overdue(today).values("pk"))

    def active(self) -> NoticeQuerySet:
        return self.exclude(status=Status.CLOSED)

    def for_department(self, department: Department) -> NoticeQuerySet:
        """Addressed or copied to the unit."""
        return self.filter(Q(responsible=department) | Q(copied=department)).distinct()


class Notice(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="notices", verbose_name=_("plan"))
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number in the year"))
    subject_kind = models.CharField(_("subject"), max_length=16, choices=SubjectKind.choices)
    target = models.ForeignKey(
        Target, on_delete=models.PROTECT, null=True, blank=True, related_name="notices", verbose_name=_("target")
    )
    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, null=True, blank=True, related_name="notices", verbose_name=_("task")
    )
    task_update = models.ForeignKey(
        TaskUpdate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("reported major problem"),
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_notices",
        verbose_name=_("quarter"),
        help_text=_("The quarter whose figures the notice was opened on."),
    )
    figures = models.JSONField(
        _("figures at opening"), default=dict, blank=True, help_text=_("What the office saw when it opened it.")
    )
    title = models.CharField(_("title"), max_length=200)
    responsible = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="supervision_notices", verbose_name=_("responsible unit")
    )
    copied = models.ManyToManyField(
        Department, blank=True, related_name="copied_supervision_notices", verbose_name=_("copied units")
    )
    requirement = models.TextField(_("requirement"))
    deadline = models.DateField(_("deadline"), help_text=_("The last day for the answer."))
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.SUPERVISE)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    measures = models.TextField(_("measures taken"), blank=True, help_text=_("The unit's latest answer."))
    planned_completion = models.DateField(_("planned completion"), null=True, blank=True)
    requested_deadline = models.DateField(_("requested deadline"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened at"))
    answered_at = models.DateTimeField(_("last answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    overdue_notified_for = models.DateField(
        _("overdue notice sent for deadline"),
        null=True,
        blank=True,
        help_text=_("The deadline whose passing was announced; a new deadline is announced once again."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="notice_unique_number_in_year"),
            models.CheckConstraint(
                condition=(
                    Q(subject_kind="target", target__isnull=False)
                    | Q(subject_kind="task", task__isnull=False)
                    | Q(subject_kind="major_problem", task_update__isnull=False)
                    | Q(subject_kind="missing_report", period__isnull=False)
                    | Q(subject_kind="none")
                ),
                name="notice_subject_has_its_link",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="notice_status_deadline")]

    def __str__(self):
        return f"{self.display_number} {self.title}"

    def get_absolute_url(self):
        return reverse("supervision:notice-detail", args=[self.pk])

    @property
    def display_number(self) -> str:
        """宁碳督〔2026〕7号."""
        return f"{NUMBER_PREFIX}〔{self.year}〕{self.number}号"

    def is_overdue(self, today: dt.date) -> bool:
        return self.status in AWAITING_UNIT and today > self.deadline

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED


class NoticeStep(models.Model):
    """One step in a notice's life, kept for ever: who, when, what, and the status before and after."""

    class Action(models.TextChoices):
        OPEN = "open", pgettext_lazy("notice step", "Open")
        ANSWER = "answer", pgettext_lazy("notice step", "Answer")
        REQUEST_EXTENSION = "request_extension", pgettext_lazy("notice step", "Extension requested")
        GRANT_EXTENSION = "grant_extension", pgettext_lazy("notice step", "Extension granted")
        DECLINE_EXTENSION = "decline_extension", pgettext_lazy("notice step", "Extension declined")
        RETURN = "return", pgettext_lazy("notice step", "Return")
        CLOSE = "close", pgettext_lazy("notice step", "Close")
        RAISE_LEVEL = "raise_level", pgettext_lazy("notice step", "Level raised")
        OVERDUE = "overdue", pgettext_lazy("notice step", "Overdue reminder")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="steps", verbose_name=_("notice"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty for a step the system took (the overdue reminder)."),
    )
    at = models.DateTimeField(_("at"))
    text = models.TextField(_("text"), blank=True)
    status_before = models.CharField(_("status before"), max_length=16, choices=Status.choices, blank=True)
    status_after = models.CharField(_("status after"), max_length=16, choices=Status.choices)
    changes = models.JSONField(
        _("changes"), default=dict, blank=True, help_text=_("Other fields' before and after: deadline, level, dates.")
    )

    class Meta:
        verbose_name = _("notice step")
        verbose_name_plural = _("notice history")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.notice.display_number} · {self.get_action_display()}"


def notice_evidence_path(instance: NoticeEvidence, filename: str) -> str:
    return f"supervision/{instance.step.notice_id}/{stored_name(filename)}"


class NoticeEvidence(models.Model):
    """A file attached to an answer; checked like report evidence and served only to those who see the notice."""

    step = models.ForeignKey(NoticeStep, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("step"))
    file = models.FileField(_("file"), upload_to=notice_evidence_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))

    class Meta:
        verbose_name = _("notice evidence file")
        verbose_name_plural = _("notice evidence files")
        ordering = ["pk"]

    def __str__(self):
        return self.original_name
