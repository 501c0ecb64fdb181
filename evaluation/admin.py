from django.contrib import admin

from .models import AnnualEvaluation, EvaluationChange, ReportFile, ScoreAdjustment


class ReadOnly(admin.ModelAdmin):
    """Evaluations change through their page (history kept there); the admin shows them, errors included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AnnualEvaluation)
class AnnualEvaluationAdmin(ReadOnly):
    list_display = ["plan", "year", "is_final", "finalized_at", "updated_at"]
    exclude = ["snapshot"]


@admin.register(ReportFile)
class ReportFileAdmin(ReadOnly):
    list_display = ["evaluation", "state", "progress", "pages", "seconds", "requested_by", "requested_at"]
    list_filter = ["state"]


@admin.register(ScoreAdjustment)
class ScoreAdjustmentAdmin(ReadOnly):
    list_display = ["evaluation", "department", "points", "reason"]


@admin.register(EvaluationChange)
class EvaluationChangeAdmin(ReadOnly):
    list_display = ["evaluation", "field", "department", "changed_by", "changed_at"]
