from django.urls import path

from gongxin.enterprises import views

app_name = "enterprises"

urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="enterprise_list"),
    path("export.xlsx", views.EnterpriseExportView.as_view(), name="enterprise_export"),
    path("new/", views.EnterpriseCreateView.as_view(), name="enterprise_create"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="enterprise_detail"),
    path("<int:pk>/edit/", views.EnterpriseEditView.as_view(), name="enterprise_edit"),
    path("<int:pk>/delete/", views.EnterpriseDeleteView.as_view(), name="enterprise_delete"),
    path("<int:pk>/contacts/new/", views.ContactView.as_view(), name="contact_create"),
    path("<int:pk>/contacts/<int:child_pk>/", views.ContactView.as_view(), name="contact_edit"),
    path(
        "<int:pk>/qualifications/new/",
        views.QualificationView.as_view(),
        name="qualification_create",
    ),
    path(
        "<int:pk>/qualifications/<int:child_pk>/",
        views.QualificationView.as_view(),
        name="qualification_edit",
    ),
    path(
        "<int:pk>/annual-figures/new/",
        views.AnnualFigureView.as_view(),
        name="annual_figure_create",
    ),
    path(
        "<int:pk>/monthly-figures/new/",
        views.MonthlyFigureView.as_view(),
        name="monthly_figure_create",
    ),
]
