from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views

# The admin is part of the system, named as the system (not "Django 管理").
admin.site.site_header = admin.site.site_title = _("Ninghe carbon-peak tracker")
admin.site.index_title = _("Administration")

handler404 = "ninghe_carbon.views.not_found"
handler500 = "ninghe_carbon.views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", views.favicon),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/demo/", views.demo_welcome, name="demo-welcome"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("reports/", include("tasks.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("supervision/", include("supervision.urls")),
    path("meetings/", include("meetings.urls")),
    path("city-report/", include("cityreport.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("dashboard.urls")),
]
