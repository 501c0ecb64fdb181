from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="meeting-list"),
    path("new/", views.meeting_create, name="meeting-create"),
    path("<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("<int:pk>/topic/", views.topic_add, name="topic-add"),
    path("<int:pk>/decision/", views.decision_add, name="decision-add"),
    path("<int:pk>/minutes.pdf", views.minutes_pdf, name="meeting-minutes"),
]
