"""The history of a document the office writes and makes final (the annual evaluation, the report to the city):
who changed which field when, before and after, and making final or reopening with its reason.

A concrete model adds the foreign key to its document (named by `PARENT`); cityreport builds on it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentChange(models.Model):
    PARENT: str  # the name of the concrete model's foreign key to the document

    field = models.CharField(_("field"), max_length=50)
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.field} @ {self.changed_at:%Y-%m-%d %H:%M}"

    @property
    def field_label(self) -> str:
        """The field as the office reads it (the stored name is the document's model field's, or is_final)."""
        if self.field == "is_final":
            return str(_("final"))
        document = self._meta.get_field(self.PARENT).related_model
        return str(document._meta.get_field(self.field).verbose_name)

    @property
    def before_display(self) -> str:
        return _state_label(self.before) if self.field == "is_final" else self.before

    @property
    def after_display(self) -> str:
        return _state_label(self.after) if self.field == "is_final" else self.after


def _state_label(value: str) -> str:
    """'draft', 'final' or 'draft: <reason>' (as the history stores them) in the reader's language."""
    state, _sep, reason = value.partition(": ")
    label = {"draft": _("Draft"), "final": _("Final")}.get(state, state)
    return f"{label}：{reason}" if reason else str(label)


def record_final(document, snapshot: dict, *, changes: type[DocumentChange], by, at) -> None:
    """Make `document` final on `snapshot` (its frozen data) at `at`, and write the step in its history. The caller has
    checked who may, and locked the row; the history's words for the step ("draft" → "final") are written here only."""
    document.snapshot, document.is_final, document.finalized_at = snapshot, True, at
    document.version += 1
    document.save()
    changes.objects.create(**{changes.PARENT: document}, field="is_final", before="draft", after="final", changed_by=by)


def record_draft(document, *, changes: type[DocumentChange], by, reason: str) -> None:
    """Back to draft, the frozen data dropped; the reason is kept in the history as "draft: <reason>" (read back by
    `_state_label`)."""
    document.is_final, document.snapshot, document.finalized_at = False, None, None
    document.version += 1
    document.save()
    changes.objects.create(
        **{changes.PARENT: document}, field="is_final", before="final", after=f"draft: {reason.strip()}", changed_by=by
    )
