from django.urls import path

from gongxin.demands import views

app_name = "demands"

urlpatterns = [
    path("", views.DemandInboxView.as_view(), name="inbox"),
    path("new/", views.DemandCreateView.as_view(), name="demand_create"),
    path("<int:pk>/", views.DemandDetailView.as_view(), name="demand_detail"),
]
