from django.urls import path

from . import views

app_name = "cityreport"
urlpatterns = [  # the fixed prefixes first: "problems/5/" would otherwise read as a plan and a scope
    path("files/<int:pk>/status/", views.file_status, name="file-status"),
    path("files/<int:pk>/download/", views.file_download, name="file-download"),
    path("problems/<int:pk>/", views.escalation, name="escalation"),
    path("problems/<int:pk>/change/", views.escalation_change, name="escalation-change"),
    path("<slug:code>/", views.home, name="home"),
    path("<slug:code>/<slug:scope>/", views.detail, name="detail"),
    path("<slug:code>/<slug:scope>/save/", views.save, name="save"),
    path("<slug:code>/<slug:scope>/finalize/", views.finalize, name="finalize"),
    path("<slug:code>/<slug:scope>/reopen/", views.reopen, name="reopen"),
    path("<slug:code>/<slug:scope>/generate/", views.generate, name="generate"),
    path("<slug:code>/<slug:scope>/preview/", views.preview, name="preview"),
]
