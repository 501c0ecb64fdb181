"""Notices are read in the admin; every change goes through the pages (supervision.services), which keep history."""

from django.contrib import admin

from .models import Notice, NoticeEvidence, NoticeStep


class NoticeStepInline(admin.TabularInline):
    model = NoticeStep
    fields = ["at", "action", "actor", "status_before", "status_after", "text", "changes"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["display_number", "title", "responsible", "level", "status", "deadline", "is_demo"]
    list_filter = ["status", "level", "subject_kind", "year", "is_demo"]
    search_fields = ["title", "requirement", "responsible__name"]
    inlines = [NoticeStepInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Notice._meta.get_fields() if f.concrete]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NoticeEvidence)
class NoticeEvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "step", "content_type", "size"]
    readonly_fields = ["step", "file", "original_name", "content_type", "size"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
