from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView
from rest_framework import routers
from rest_framework.permissions import AllowAny

from . import city_views, docs, notice_views, pages, views

app_name = "api"


class PublicRoot(routers.APIRootView):
    """The index of endpoints is public, like the docs; each endpoint checks its own access."""

    permission_classes = [AllowAny]

    def get_view_name(self):
        return _("API of the Ninghe carbon-peak tracker")

    def get_view_description(self, html=False):
        return _(
            "Every endpoint of version 1. Sign in with a token (see 'API' in the site's header) or a session; "
            "the documentation is at /api/v1/docs/."
        )


class Router(routers.DefaultRouter):
    APIRootView = PublicRoot


router = Router()
router.register("plans", views.PlanViewSet, basename="plan")
router.register("areas", views.AreaViewSet, basename="area")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("targets", views.TargetViewSet, basename="target")
router.register("periods", views.PeriodViewSet, basename="period")
router.register("values", views.ApprovedValueViewSet, basename="value")
router.register("results/targets", views.TargetResultViewSet, basename="target-result")
router.register("results/tasks", views.TaskResultViewSet, basename="task-result")
router.register("results/rollups", views.RollupViewSet, basename="rollup")
router.register("results/timeliness", views.TimelinessViewSet, basename="timeliness")
router.register("reports", views.ReportViewSet, basename="report")
router.register("notices", notice_views.NoticeViewSet, basename="notice")
router.register("city-escalations", city_views.EscalationViewSet, basename="city-escalation")

urlpatterns = [
    path("token/", pages.token, name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.swagger, name="docs"),
    path("redoc/", docs.redoc, name="redoc"),
    path("", include(router.urls)),
]
