"""The 需市级协调 marks in the API, read only: which reported major problems the office asked the city to
coordinate, why, and the history of each mark. For the office and district leaders, as on the pages."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from cityreport.models import Escalation, EscalationStep
from cityreport.selectors import escalation_list
from departments.roles import is_office, is_viewer
from tasks.permissions import visible_reports

from .params import plan_from
from .serializers import QuarterField


class EscalationStepSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.get_username", read_only=True)

    class Meta:
        model = EscalationStep
        fields = ["action", "reason", "by", "at"]
        read_only_fields = fields


class EscalationSerializer(serializers.ModelSerializer):
    department = serializers.IntegerField(source="task_update.report.department_id", read_only=True)
    department_name = serializers.CharField(source="task_update.report.department.name", read_only=True)
    quarter = QuarterField(source="task_update.report.period")
    report = serializers.IntegerField(source="task_update.report_id", read_only=True)
    task = serializers.IntegerField(source="task_update.task_id", read_only=True)
    task_code = serializers.CharField(source="task_update.task.code", read_only=True)
    problem = serializers.CharField(source="task_update.problems", read_only=True)
    marked_by = serializers.CharField(source="marked_by.get_username", read_only=True)
    history = EscalationStepSerializer(source="steps", many=True, read_only=True)

    class Meta:
        model = Escalation
        fields = [
            "id",
            "task_update",
            "report",
            "department",
            "department_name",
            "quarter",
            "task",
            "task_code",
            "problem",
            "is_active",
            "reason",
            "marked_by",
            "marked_at",
            "history",
        ]
        read_only_fields = fields


class EscalationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Major problems the office marked 需市级协调 (active first, withdrawn marks kept), with each mark's history."""

    serializer_class = EscalationSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Escalation.objects.none()
        if not (is_office(self.request.user) or is_viewer(self.request.user)):
            raise PermissionDenied(_("City-level coordination marks are for the office and district leaders."))
        return escalation_list(plan_from(self.request), visible_reports(self.request.user))
