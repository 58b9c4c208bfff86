from django.urls import path

from gongxin.demands import views

app_name = "visits"

urlpatterns = [
    path("", views.VisitListView.as_view(), name="visit_list"),
    path("new/", views.VisitCreateView.as_view(), name="visit_create"),
    path("<int:pk>/", views.VisitDetailView.as_view(), name="visit_detail"),
    path("plans/", views.VisitPlanListView.as_view(), name="visit_plan_list"),
    path("plans/new/", views.VisitPlanCreateView.as_view(), name="visit_plan_create"),
    path("plans/<int:pk>/", views.VisitPlanDetailView.as_view(), name="visit_plan_detail"),
]
