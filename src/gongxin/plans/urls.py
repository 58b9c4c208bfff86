from django.urls import path

from gongxin.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("import/", views.PlanImportView.as_view(), name="plan_import"),
    path("drafts/<int:pk>/", views.DraftDetailView.as_view(), name="draft_detail"),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("tasks/<int:pk>/assign/", views.TaskAssignView.as_view(), name="task_assign"),
    path("tasks/<int:pk>/reports/", views.ReportCreateView.as_view(), name="report_create"),
    path("evidence/<int:pk>/", views.EvidenceView.as_view(), name="evidence"),
    path("departments/", views.DepartmentRecordView.as_view(), name="department_record"),
    path("<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("<int:pk>/edit/", views.PlanEditView.as_view(), name="plan_edit"),
    path("<int:pk>/action/", views.PlanActionView.as_view(), name="plan_action"),
    path("<int:pk>/document/", views.PlanSourceView.as_view(), name="plan_source"),
    path("<int:pk>/export.<str:fmt>", views.PlanExportView.as_view(), name="plan_export"),
]
