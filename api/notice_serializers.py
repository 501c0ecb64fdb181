"""How the API shows supervision notices with their history, and what the notice endpoints accept.

Input serializers parse types only; supervision.services applies every rule, as for the web pages.
"""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from departments.models import Department
from indicators.models import Target
from supervision.models import Level, Notice, NoticeEvidence, NoticeStep
from targets.models import Task
from tasks.limits import LONG_TEXT
from tasks.models import ReportingPeriod, TaskUpdate

from .serializers import QuarterField


class NoticeSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.code", read_only=True)
    display_number = serializers.CharField(read_only=True)
    responsible_name = serializers.CharField(source="responsible.name", read_only=True)
    quarter = QuarterField(source="period", allow_null=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = [
            "id",
            "plan",
            "year",
            "number",
            "display_number",
            "title",
            "subject_kind",
            "target",
            "task",
            "task_update",
            "period",
            "quarter",
            "responsible",
            "responsible_name",
            "copied",
            "requirement",
            "deadline",
            "level",
            "status",
            "overdue",
            "measures",
            "planned_completion",
            "requested_deadline",
            "opened_at",
            "answered_at",
            "closed_at",
            "is_demo",
        ]
        read_only_fields = fields

    def get_overdue(self, notice) -> bool:
        return notice.is_overdue(self.context["today"])


class NoticeEvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = NoticeEvidence
        fields = ["id", "original_name", "content_type", "size", "url"]
        read_only_fields = fields

    def get_url(self, evidence) -> str:
        return reverse("supervision:evidence-download", args=[evidence.pk])


class NoticeStepSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True, default=None)
    evidence = NoticeEvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = NoticeStep
        fields = ["id", "action", "actor", "at", "text", "status_before", "status_after", "changes", "evidence"]
        read_only_fields = fields


class NoticeDetailSerializer(NoticeSerializer):
    figures = serializers.JSONField(read_only=True)
    steps = NoticeStepSerializer(many=True, read_only=True)

    class Meta(NoticeSerializer.Meta):
        fields = [*NoticeSerializer.Meta.fields, "figures", "steps"]
        read_only_fields = fields


class OpenNoticeSerializer(serializers.Serializer):
    """Name at most one subject (target, task, task_update, or department with period); none for a free notice."""

    target = serializers.PrimaryKeyRelatedField(
        queryset=Target.objects.select_related("indicator__plan"), required=False
    )
    task = serializers.PrimaryKeyRelatedField(queryset=Task.objects.select_related("area__plan"), required=False)
    task_update = serializers.PrimaryKeyRelatedField(
        queryset=TaskUpdate.objects.filter(major_problem=True).select_related("report__plan", "task"), required=False
    )
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all(), required=False)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    responsible = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)
    copied = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), many=True, required=False)
    requirement = serializers.CharField(max_length=LONG_TEXT)
    deadline = serializers.DateField()
    level = serializers.ChoiceField(choices=Level.choices, default=Level.SUPERVISE)


class AnswerSerializer(serializers.Serializer):
    measures = serializers.CharField(max_length=LONG_TEXT)
    planned_completion = serializers.DateField()


class ExtensionRequestSerializer(serializers.Serializer):
    deadline = serializers.DateField()
    reason = serializers.CharField(max_length=LONG_TEXT)


class DecisionSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=LONG_TEXT, required=False, allow_blank=True, default="")
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    level = serializers.ChoiceField(choices=Level.choices, required=False, allow_null=True, default=None)
