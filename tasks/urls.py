from django.urls import path

from . import views

app_name = "tasks"

urlpatterns = [
    path("", views.home, name="home"),
    path("periods/<int:period_pk>/start/", views.report_start, name="report-start"),
    path("official/", views.official_figures, name="official-figures"),
    path("official/upload/", views.official_upload, name="official-upload"),
    path("official/confirm/", views.official_confirm, name="official-confirm"),
    path("official/table.xlsx", views.official_template, name="official-template"),
    path("<int:pk>/", views.report_detail, name="report-detail"),
    path("<int:pk>/workbook.xlsx", views.report_workbook, name="report-workbook"),
    path("<int:pk>/workbook/upload/", views.report_workbook_upload, name="report-workbook-upload"),
    path("<int:pk>/flags/<int:flag_pk>/dismiss/", views.flag_dismiss, name="flag-dismiss"),
    path("<int:pk>/<slug:action>/", views.report_action, name="report-action"),
    path("<int:pk>/tasks/<int:task_pk>/evidence/", views.evidence_upload, name="evidence-upload"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
]
