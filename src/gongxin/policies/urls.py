from django.urls import path

from gongxin.policies import views

app_name = "policies"

urlpatterns = [
    path("", views.PolicyListView.as_view(), name="policy_list"),
    path("new/", views.PolicyFormView.as_view(), name="policy_create"),
    path("rule-check/", views.RuleCheckView.as_view(), name="rule_check"),
    path(
        "without-application/", views.WithoutApplicationView.as_view(), name="without_application"
    ),
    path("applications/", views.ApplicationListView.as_view(), name="application_list"),
    path(
        "applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"
    ),
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
    path("ladder/", views.LadderView.as_view(), name="ladder"),
    path("ladder/<slug:tier>/", views.CandidatesView.as_view(), name="candidates"),
    path("ladder/<slug:tier>/rule/", views.TierRuleView.as_view(), name="tier_rule"),
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", views.PlanFormView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", views.PlanFormView.as_view(), name="plan_edit"),
    path("plans/<int:pk>/items/", views.PlanItemView.as_view(), name="plan_item_create"),
    path(
        "plans/<int:pk>/items/<int:item_pk>/", views.PlanItemView.as_view(), name="plan_item_edit"
    ),
    path("<int:pk>/", views.PolicyDetailView.as_view(), name="policy_detail"),
    path("<int:pk>/edit/", views.PolicyFormView.as_view(), name="policy_edit"),
    path("<int:pk>/matches.xlsx", views.PolicyMatchesExportView.as_view(), name="policy_export"),
    path("<int:pk>/full-text/", views.PolicyFullTextView.as_view(), name="full_text"),
    path("<int:pk>/apply/", views.ApplyView.as_view(), name="apply"),
    path("<int:pk>/grant/", views.GrantView.as_view(), name="grant"),
]
