"""How the API shows a quarterly report with its history, and what the report endpoints accept.

Input serializers only parse types; the rules are applied by tasks.services (which calls tasks.validation),
exactly as for the web form and the spreadsheet.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from targets.models import Plan
from tasks import permissions, selectors
from tasks.limits import FIELD_LIMITS
from tasks.models import (
    FieldChange,
    IndicatorValue,
    QualityFlag,
    QuarterlyReport,
    ReportEvent,
    ReportingPeriod,
    ReportStatus,
    TaskStatus,
    TaskUpdate,
)

from .serializers import QuarterField


class ReportSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    quarter = QuarterField(source="period")

    class Meta:
        model = QuarterlyReport
        fields = [
            "id",
            "plan",
            "department",
            "department_name",
            "period",
            "quarter",
            "status",
            "version",
            "submitted_at",
            "is_late",
            "approved_at",
            "office_comment",
            "is_demo",
            "updated_at",
        ]
        read_only_fields = fields


class TaskUpdateSerializer(serializers.ModelSerializer):
    task_code = serializers.CharField(source="task.code", read_only=True)
    # Blank until the unit says (read-only fields would otherwise lose allow_blank in the schema).
    status = serializers.ChoiceField(choices=TaskStatus.choices, allow_blank=True, read_only=True)

    class Meta:
        model = TaskUpdate
        fields = [
            "task",
            "task_code",
            "status",
            "percent_complete",
            "work_done",
            "problems",
            "next_steps",
            "major_problem",
        ]
        read_only_fields = fields


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "indicator_code", "value", "reached", "data_source", "note", "change_explanation"]
        read_only_fields = fields


class FieldChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = FieldChange
        fields = ["field", "task", "indicator", "before", "after"]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True)
    status_before = serializers.ChoiceField(choices=ReportStatus.choices, allow_blank=True, read_only=True)
    changes = FieldChangeSerializer(many=True, read_only=True)

    class Meta:
        model = ReportEvent
        fields = ["action", "actor", "at", "comment", "status_before", "status_after", "version", "changes"]
        read_only_fields = fields


class QualityFlagSerializer(serializers.ModelSerializer):
    """A check prompt for the office's review, with its one-sentence explanation in the caller's language."""

    sentence = serializers.CharField(read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    dismissed_by = serializers.CharField(source="dismissed_by.username", read_only=True, allow_null=True)

    class Meta:
        model = QualityFlag
        fields = [
            "id",
            "kind",
            "task",
            "indicator",
            "sentence",
            "computed_at",
            "is_open",
            "dismissed_at",
            "dismissed_by",
            "dismissal_reason",
        ]
        read_only_fields = fields


class ReportDetailSerializer(ReportSerializer):
    task_updates = TaskUpdateSerializer(many=True, read_only=True)
    indicator_values = IndicatorValueSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    quality_flags = serializers.SerializerMethodField(
        help_text="The office's check prompts (the office only; empty for everyone else)."
    )

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "task_updates", "indicator_values", "events", "quality_flags"]
        read_only_fields = fields

    @extend_schema_field(QualityFlagSerializer(many=True))
    def get_quality_flags(self, report) -> list:
        request = self.context.get("request")
        if request is None or not permissions.can_see_flags(request.user):
            return []
        return QualityFlagSerializer(selectors.report_flags(report), many=True).data


class StartReportSerializer(serializers.Serializer):
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all())
    plan = serializers.SlugRelatedField(slug_field="code", queryset=Plan.objects.all(), required=False)


class TaskUpdateInput(serializers.Serializer):
    """A task's row; fields left out keep their stored values."""

    task = serializers.IntegerField()
    status = serializers.ChoiceField(choices=TaskStatus.choices, allow_blank=True, required=False)
    percent_complete = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100)
    work_done = serializers.CharField(required=False, allow_blank=True, max_length=FIELD_LIMITS["work_done"])
    problems = serializers.CharField(required=False, allow_blank=True, max_length=FIELD_LIMITS["problems"])
    next_steps = serializers.CharField(required=False, allow_blank=True, max_length=FIELD_LIMITS["next_steps"])
    major_problem = serializers.BooleanField(required=False)


class IndicatorValueInput(serializers.Serializer):
    """An indicator's row; fields left out keep their stored values."""

    indicator = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=14, decimal_places=4, required=False, allow_null=True)
    reached = serializers.BooleanField(required=False, allow_null=True)
    data_source = serializers.CharField(required=False, allow_blank=True, max_length=FIELD_LIMITS["data_source"])
    note = serializers.CharField(required=False, allow_blank=True, max_length=FIELD_LIMITS["note"])
    change_explanation = serializers.CharField(
        required=False, allow_blank=True, max_length=FIELD_LIMITS["change_explanation"]
    )


class SaveReportSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, help_text="The report's version the client last read.")
    tasks = TaskUpdateInput(many=True, required=False, default=list)
    indicators = IndicatorValueInput(many=True, required=False, default=list)


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=FIELD_LIMITS["comment"])


class DismissFlagSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=FIELD_LIMITS["comment"], help_text="Why the prompt needs no action.")


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    version = serializers.IntegerField()
    since = EventSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
