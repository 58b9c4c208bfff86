from django.urls import path

from gongxin.chains import views

app_name = "chains"

urlpatterns = [
    path("", views.ChainListView.as_view(), name="chain_list"),
    path("<slug:code>/", views.ChainDetailView.as_view(), name="chain_detail"),
    path(
        "<slug:code>/lists/<slug:key>/", views.ChainListPageView.as_view(), name="chain_list_page"
    ),
    path("<slug:code>/structure.json", views.ChainStructureView.as_view(), name="chain_structure"),
    path("<slug:code>/suggest/", views.ChainSuggestView.as_view(), name="chain_suggest"),
    path(
        "<slug:code>/places/<int:pk>/<str:decision>/",
        views.LinkDecideView.as_view(),
        name="link_decide",
    ),
]
