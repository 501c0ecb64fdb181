from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.notice_list, name="notice-list"),
    path("open/", views.notice_open, name="notice-open"),
    path("<int:pk>/", views.notice_detail, name="notice-detail"),
    path("<int:pk>/<slug:action>/", views.notice_action, name="notice-action"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
]
