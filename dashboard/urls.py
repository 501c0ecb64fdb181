from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/<slug:code>/", views.plan_detail, name="plan-detail"),
    path("plans/<slug:code>/tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("plans/<slug:code>/targets/", views.target_list, name="target-list"),
    path("plans/<slug:code>/indicators/<int:pk>/", views.indicator_detail, name="indicator-detail"),
    path("plans/<slug:code>/departments/", views.department_list, name="department-list"),
    path("plans/<slug:code>/departments/<int:pk>/", views.department_detail, name="department-detail"),
]
