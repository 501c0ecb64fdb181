"""The office and viewer groups with the model permissions their work needs, kept in step after every migrate."""

from django.contrib.auth.models import Group, Permission

from departments.roles import OFFICE_GROUP, VIEWER_GROUP

# app_label.codename: the office manages periods, baselines, city-assigned values and who reports what.
OFFICE_PERMISSIONS = [
    "tasks.add_reportingperiod",
    "tasks.change_reportingperiod",
    "tasks.view_reportingperiod",
    "tasks.view_quarterlyreport",
    "tasks.view_reportevent",
    "indicators.change_indicator",
    "indicators.view_indicator",
    "indicators.change_target",
    "indicators.view_target",
    "departments.view_department",
    "departments.change_department",
    "departments.view_membership",
    "departments.add_membership",
    "departments.change_membership",
    "targets.view_plan",
    "targets.view_area",
    "targets.view_task",
    "targets.view_responsibility",
    "supervision.view_notice",  # read in the admin; changed only through the notice pages (supervision.services)
    "supervision.view_noticeevidence",
    "notifications.add_webhook",
    "notifications.change_webhook",
    "notifications.delete_webhook",
    "notifications.view_webhook",
    "notifications.view_webhookdelivery",
]


def ensure_role_groups(**kwargs) -> None:
    office, _ = Group.objects.get_or_create(name=OFFICE_GROUP)
    Group.objects.get_or_create(name=VIEWER_GROUP)
    wanted = []
    for dotted in OFFICE_PERMISSIONS:
        app_label, codename = dotted.split(".")
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission:
            wanted.append(permission)
    office.permissions.set(wanted)
