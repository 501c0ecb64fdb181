from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("<slug:code>/", views.latest_year, name="home"),
    path("<slug:code>/assessment/", views.latest_assessment, name="latest-assessment"),
    path("<slug:code>/<int:year>/", views.detail, name="detail"),
    path("<slug:code>/<int:year>/save/", views.save, name="save"),
    path("<slug:code>/<int:year>/finalize/", views.finalize, name="finalize"),
    path("<slug:code>/<int:year>/reopen/", views.reopen, name="reopen"),
    path("<slug:code>/<int:year>/generate/", views.generate, name="generate"),
    path("<slug:code>/<int:year>/preview/", views.preview, name="preview"),
    path("<slug:code>/<int:year>/assessment/", views.assessment, name="assessment"),
    path("<slug:code>/<int:year>/assessment/adjust/", views.adjust, name="adjust"),
    path("<slug:code>/<int:year>/export.xlsx", views.export_excel, name="export-excel"),
    path("<slug:code>/<int:year>/export-<str:table>.csv", views.export_csv, name="export-csv"),
    path("files/<int:pk>/status/", views.file_status, name="file-status"),
    path("files/<int:pk>/download/", views.file_download, name="file-download"),
]
