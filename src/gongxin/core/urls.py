from django.contrib.auth import views as auth_views
from django.urls import path

from gongxin.core import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("regions/", views.ReferenceView.as_view(), name="reference"),
    path("audit-log/", views.AuditEntryListView.as_view(), name="audit_log"),
    path("notifications/", views.NotificationListView.as_view(), name="notification_list"),
    path(
        "notifications/<int:pk>/",
        views.NotificationOpenView.as_view(),
        name="notification_open",
    ),
    path("imports/<slug:kind>/", views.ImportView.as_view(), name="import"),
    path(
        "imports/<slug:kind>/template.xlsx",
        views.ImportTemplateView.as_view(),
        name="import_template",
    ),
    path("import-jobs/<uuid:job_id>/", views.ImportJobView.as_view(), name="import_job"),
    path(
        "import-jobs/<uuid:job_id>/commit/",
        views.ImportJobCommitView.as_view(),
        name="import_job_commit",
    ),
    path(
        "import-jobs/<uuid:job_id>/errors.xlsx",
        views.ImportJobErrorsView.as_view(),
        name="import_job_errors",
    ),
]
