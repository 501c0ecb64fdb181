"""The plan as its text states it: parts, action areas, numbered tasks and who is responsible."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from departments.models import Department, Jurisdiction


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("plan status", "Draft")
        IN_FORCE = "in_force", _("In force")
        ENDED = "ended", _("Ended")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=200)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="plans", verbose_name=_("jurisdiction")
    )
    issuer = models.CharField(_("issuing body"), max_length=200)
    issued_on = models.DateField(_("date issued"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.IN_FORCE)
    preamble = models.TextField(_("preamble"), blank=True)
    source_text = models.TextField(_("source text"), help_text=_("The official text the plan was imported from."))
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-issued_on", "code"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("dashboard:plan-detail", args=[self.code])


class PlanSection(models.Model):
    """A heading of the general part (指导思想, 工作原则, 主要目标) with its paragraphs."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections", verbose_name=_("plan"))
    part = models.CharField(_("part"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"))
    heading = models.CharField(_("heading"), max_length=100)
    body = models.TextField(_("text"))

    class Meta:
        verbose_name = _("general section")
        verbose_name_plural = _("general sections")
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "order"], name="section_unique_order")]

    def __str__(self):
        return self.heading


class Area(models.Model):
    """An action area (行动) of 重点任务, or a closing part (对外合作, 政策保障, 组织实施)."""

    class Kind(models.TextChoices):
        ACTION = "action", _("Action area")
        CLOSING = "closing", _("Closing part")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="areas", verbose_name=_("plan"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("order"), help_text=_("Position in the plan, from 1."))
    number = models.PositiveSmallIntegerField(
        _("number"), null=True, blank=True, help_text=_("Number of an action area, 1 to 10; empty for closing parts.")
    )
    title = models.CharField(_("title"), max_length=100)
    intro = models.TextField(_("introduction"), blank=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="area_unique_order"),
            models.UniqueConstraint(fields=["plan", "title"], name="area_unique_title"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("dashboard:plan-detail", args=[self.plan.code]) + f"#area-{self.order}"


class Task(models.Model):
    """A numbered task of an action area, or a sub-heading of a closing part (numbered by position)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("area"))
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("The task's text after its title, as the plan gives it."))
    responsibility_text = models.CharField(
        _("responsibility clause"), max_length=500, help_text=_("The closing parenthesis, verbatim.")
    )
    source_line = models.PositiveIntegerField(_("line in source"), null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["area__plan", "area__order", "number"]
        constraints = [models.UniqueConstraint(fields=["area", "number"], name="task_unique_number_in_area")]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("dashboard:task-detail", args=[self.area.plan.code, self.pk])

    @property
    def code(self) -> str:
        """The reference users say aloud: 2.2 is the second task of the second area."""
        if self.area.number is None:
            return f"{self.area.title}·{self.number}"
        return f"{self.area.number}.{self.number}"

    @property
    def lead(self) -> "Responsibility | None":
        return next((r for r in self.responsibilities.all() if r.role == Responsibility.Role.LEAD), None)

    @property
    def co_responsibilities(self) -> list["Responsibility"]:
        return [r for r in self.responsibilities.all() if r.role == Responsibility.Role.CO]

    @property
    def full_text(self) -> str:
        return f"{self.title}。{self.body}（{self.responsibility_text}）"


class Responsibility(models.Model):
    """A department named in a task's parenthesis: the first is the lead (牵头), the rest co-own (配合)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        CO = "co", _("Co-responsible")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="responsibilities", verbose_name=_("task"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("department")
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    order = models.PositiveSmallIntegerField(_("order"), help_text=_("Position in the parenthesis, from 1."))
    name_as_written = models.CharField(_("name as written"), max_length=100)

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        ordering = ["task", "order"]
        constraints = [
            models.UniqueConstraint(fields=["task", "order"], name="responsibility_unique_order"),
            models.UniqueConstraint(fields=["task", "department"], name="responsibility_unique_department"),
            models.UniqueConstraint(fields=["task"], condition=Q(role="lead"), name="responsibility_one_lead"),
            models.CheckConstraint(
                condition=(Q(order=1, role="lead") | (Q(order__gt=1) & Q(role="co"))),
                name="responsibility_lead_is_first",
            ),
        ]

    def __str__(self):
        return f"{self.task.code} {self.department} ({self.get_role_display()})"
