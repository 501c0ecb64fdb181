from django.urls import path

from . import overview, views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/<slug:code>/", views.plan_detail, name="plan-detail"),
    path("plans/<slug:code>/overview/", overview.overview, name="overview"),
    path("plans/<slug:code>/areas/<int:order>/", views.area_detail, name="area-detail"),
    path("plans/<slug:code>/tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("plans/<slug:code>/targets/", views.target_list, name="target-list"),
    path("plans/<slug:code>/indicators/<int:pk>/", views.indicator_detail, name="indicator-detail"),
    path("plans/<slug:code>/departments/", views.department_list, name="department-list"),
    path("plans/<slug:code>/departments/<int:pk>/", views.department_detail, name="department-detail"),
]
