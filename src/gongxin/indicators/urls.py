from django.urls import path

from gongxin.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
]
