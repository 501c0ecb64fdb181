"""Dispatch meetings (调度会): who attended, the topics with the plan's items discussed, and the decisions, each of
which is a supervision notice (its unit, deadline and answers live there)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from indicators.models import Target
from supervision.models import Notice
from targets.models import Plan, Task


class Meeting(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("plan"))
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.CharField(_("chaired by"), max_length=100, blank=True)
    attendees = models.ManyToManyField(
        Department, related_name="meetings_attended", verbose_name=_("units attending"), blank=True
    )
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dispatch meeting")
        verbose_name_plural = _("dispatch meetings")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"


class Topic(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="topics", verbose_name=_("meeting"))
    title = models.CharField(_("topic"), max_length=200)
    discussion = models.TextField(_("discussion"), blank=True)
    targets = models.ManyToManyField(Target, blank=True, related_name="+", verbose_name=_("targets discussed"))
    tasks = models.ManyToManyField(Task, blank=True, related_name="+", verbose_name=_("tasks discussed"))
    notices = models.ManyToManyField(Notice, blank=True, related_name="+", verbose_name=_("notices discussed"))

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["meeting", "pk"]

    def __str__(self):
        return self.title


class Decision(models.Model):
    """A decision of the meeting; its notice carries the unit, the deadline and everything after."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("meeting"))
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions", verbose_name=_("topic")
    )
    text = models.TextField(_("decision"))
    notice = models.OneToOneField(
        Notice, on_delete=models.PROTECT, related_name="meeting_decision", verbose_name=_("supervision notice")
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting", "pk"]

    def __str__(self):
        return self.text[:50]
