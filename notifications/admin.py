"""Robots are set up by the office in the admin; their address and secret are written, never shown back in full."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ninghe_carbon import background

from . import robots
from .jobs import deliver_webhook
from .models import Webhook, WebhookDelivery
from .services import requeue_stale_deliveries, send_test


class WebhookForm(forms.ModelForm):
    """Address and secret are write-only: an empty field keeps the stored value."""

    url = forms.URLField(label=_("webhook address"), max_length=500, required=False, assume_scheme="https")
    secret = forms.CharField(
        label=_("signing secret"), max_length=200, required=False, widget=forms.PasswordInput(render_value=False)
    )
    clear_secret = forms.BooleanField(label=_("remove the stored secret"), required=False)

    class Meta:
        model = Webhook
        fields = ["name", "department", "kind", "message_format", "url", "secret", "clear_secret", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["url"] = self.initial["secret"] = ""
        stored = self.instance if self.instance.pk else None
        if stored:
            self.fields["url"].help_text = _("Stored: %(value)s. Leave empty to keep it.") % {
                "value": robots.masked_url(stored.url)
            }
            self.fields["secret"].help_text = (
                _("Stored: %(value)s. Leave empty to keep it.") % {"value": robots.mask(stored.secret)}
                if stored.secret
                else _("None stored. DingTalk's 加签 secret (SEC…); WeCom robots have none.")
            )
        else:
            self.fields["url"].required = True
            self.fields["secret"].help_text = Webhook._meta.get_field("secret").help_text

    def clean(self):
        data = super().clean()
        stored = Webhook.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        if not data.get("url") and stored:
            data["url"] = stored.url
        if data.get("clear_secret"):
            data["secret"] = ""
        elif not data.get("secret") and stored:
            data["secret"] = stored.secret
        self.instance.url, self.instance.secret = data.get("url", ""), data.get("secret", "")
        if data.get("kind") == Webhook.Kind.WECOM and data.get("secret"):
            self.add_error("secret", _("WeCom group robots are not signed; leave the secret empty."))
        return data


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["name", "recipient", "kind", "message_format", "address", "secret_set", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "department__name"]
    autocomplete_fields = ["department"]
    list_select_related = ["department"]
    actions = ["send_test_message"]

    @admin.display(description=_("for"))
    def recipient(self, obj):
        return obj.department or _("The office")

    @admin.display(description=_("webhook address"))
    def address(self, obj):
        return robots.masked_url(obj.url)

    @admin.display(description=_("signed"), boolean=True)
    def secret_set(self, obj):
        return bool(obj.secret)

    @admin.action(description=_("Send a test message"))
    def send_test_message(self, request, queryset):
        for hook in queryset:
            send_test(webhook=hook)
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "A test message was queued for %(n)s robot; its delivery shows under webhook deliveries.",
                "A test message was queued for %(n)s robots; their deliveries show under webhook deliveries.",
                count,
            )
            % {"n": count},
            messages.SUCCESS,
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Where the office sees whether each message went out, and why not."""

    list_display = ["created_at", "webhook", "event", "title", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "event", "webhook"]
    search_fields = ["title", "webhook__name"]
    list_select_related = ["webhook"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def changelist_view(self, request, extra_context=None):
        """Without a broker there is no Celery beat: the sweep that queues lost messages again runs when the list is
        read (as the evaluation page fails its orphaned PDF jobs), so a restart of the site does not strand them."""
        if background.without_broker(deliver_webhook):
            requeue_stale_deliveries()
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
