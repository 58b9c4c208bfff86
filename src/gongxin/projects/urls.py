from django.urls import path

from gongxin.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project_list"),
    path("new/", views.ProjectFormView.as_view(), name="project_create"),
    path("export.xlsx", views.ProjectExportView.as_view(), name="project_export"),
    path("timeline/", views.TimelineView.as_view(), name="timeline"),
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
    path("parks/", views.ParkListView.as_view(), name="park_list"),
    path("parks/<slug:code>/", views.ParkDetailView.as_view(), name="park_detail"),
    path("parks/<slug:code>/land/", views.LandView.as_view(), name="land_save"),
    path(
        "parks/<slug:code>/buildings/new/", views.BuildingFormView.as_view(), name="building_create"
    ),
    path(
        "parks/<slug:code>/buildings/<int:pk>/",
        views.BuildingFormView.as_view(),
        name="building_edit",
    ),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("<int:pk>/edit/", views.ProjectFormView.as_view(), name="project_edit"),
    path("<int:pk>/delete/", views.ProjectDeleteView.as_view(), name="project_delete"),
    path("<int:pk>/months/", views.MonthView.as_view(), name="month_save"),
    path("<int:pk>/milestones/", views.MilestoneView.as_view(), name="milestone_create"),
    path(
        "<int:pk>/milestones/<int:milestone_pk>/",
        views.MilestoneView.as_view(),
        name="milestone_edit",
    ),
]
