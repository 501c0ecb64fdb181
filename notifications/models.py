"""Group-robot webhooks (企业微信, 钉钉) for the office or a unit, and a record of every message sent to one."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Department


class Webhook(models.Model):
    """A chat group's robot: messages for its unit (or, without a unit, for the office) are posted to it."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk group robot")

    class Format(models.TextChoices):
        MARKDOWN = "markdown", _("Markdown")
        TEXT = "text", _("Plain text")

    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhooks",
        verbose_name=_("department"),
        help_text=_("Leave empty for the office's own group."),
    )
    kind = models.CharField(_("robot"), max_length=16, choices=Kind.choices)
    message_format = models.CharField(
        _("message format"), max_length=16, choices=Format.choices, default=Format.MARKDOWN
    )
    url = models.URLField(_("webhook address"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk's 加签 secret (SEC…); WeCom robots have none."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["department__name", "name"]

    def __str__(self):
        return self.name


class WebhookDelivery(models.Model):
    """One message to one robot: queued, then sent or given up, with the attempts and the last error.

    A try first claims the row (pending → sending, one UPDATE): whoever else runs the same delivery meanwhile finds
    it taken, so a message is posted at most once. `next_try_at` says when the row is due, so that a periodic job
    can queue again a delivery whose job was lost (notifications.services.requeue_stale_deliveries)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook"))
    event = models.CharField(_("occasion"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_try_at = models.DateTimeField(_("next try due"), default=timezone.now)
    claimed_at = models.DateTimeField(_("try started at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_try_at"], name="delivery_status_due")]

    def __str__(self):
        return f"{self.webhook} · {self.title}"
