from django.urls import path

from gongxin.demands import views

app_name = "demands"

urlpatterns = [
    path("", views.DemandInboxView.as_view(), name="inbox"),
    path("board/", views.DemandBoardView.as_view(), name="board"),
    path("statistics/", views.DemandStatisticsView.as_view(), name="statistics"),
    path("new/", views.DemandCreateView.as_view(), name="demand_create"),
    path("<int:pk>/", views.DemandDetailView.as_view(), name="demand_detail"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.DemandAttachmentView.as_view(),
        name="attachment",
    ),
]
