"""The fill state of each plan's results, read in the admin: a plan left STARTED shows a full recompute that never
ended (crashed or killed), which the next nightly run undoes. Only the engine writes these rows."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tasks.admin import ReadOnlyAdmin

from .models import FillState


@admin.register(FillState)
class FillStateAdmin(ReadOnlyAdmin):
    list_display = ["plan", "state", "engine_version", "changed_at", "run", "run_error"]
    list_filter = ["state", "engine_version"]
    list_select_related = ["plan", "run"]
    readonly_fields = [*list_display]

    @admin.display(description=_("error"))
    def run_error(self, obj):
        return obj.run.error if obj.run else ""
