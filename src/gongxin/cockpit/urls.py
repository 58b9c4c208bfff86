from django.urls import path

from gongxin.cockpit import views

app_name = "cockpit"

urlpatterns = [
    path("", views.CockpitView.as_view(), name="cockpit"),
    path("screen/", views.CockpitView.as_view(screen=True), name="screen"),
    path("briefing/", views.BriefingView.as_view(), name="briefing"),
]
