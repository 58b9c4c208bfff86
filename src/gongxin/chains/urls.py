from django.urls import path

from gongxin.chains import views

app_name = "chains"

urlpatterns = [
    path("", views.ChainListView.as_view(), name="chain_list"),
    path("import/", views.ChainImportView.as_view(), name="chain_import"),
    path(
        "import/template.xlsx",
        views.ChainWorkbookTemplateView.as_view(),
        name="chain_import_template",
    ),
    path("<slug:code>/", views.ChainDetailView.as_view(), name="chain_detail"),
    path(
        "<slug:code>/lists/<slug:key>/", views.ChainListPageView.as_view(), name="chain_list_page"
    ),
    path("<slug:code>/structure/", views.StructureEditView.as_view(), name="structure_edit"),
    path("<slug:code>/structure/nodes/", views.NodeCreateView.as_view(), name="node_create"),
    path("<slug:code>/structure/nodes/<int:pk>/", views.NodeEditView.as_view(), name="node_edit"),
    path("<slug:code>/structure/links/", views.SupplyLinkCreateView.as_view(), name="link_create"),
    path(
        "<slug:code>/structure/links/<int:pk>/delete/",
        views.SupplyLinkDeleteView.as_view(),
        name="link_delete",
    ),
    path("<slug:code>/items/<slug:kind>/new/", views.ChainItemView.as_view(), name="item_create"),
    path(
        "<slug:code>/items/<slug:kind>/<int:pk>/", views.ChainItemView.as_view(), name="item_edit"
    ),
    path(
        "<slug:code>/items/<slug:kind>/<int:pk>/delete/",
        views.ChainItemDeleteView.as_view(),
        name="item_delete",
    ),
    path(
        "<slug:code>/prospects/<int:pk>/advance/",
        views.ProspectAdvanceView.as_view(),
        name="prospect_advance",
    ),
    path("<slug:code>/structure.xlsx", views.ChainWorkbookView.as_view(), name="chain_workbook"),
    path("<slug:code>/structure.json", views.ChainStructureView.as_view(), name="chain_structure"),
    path("<slug:code>/suggest/", views.ChainSuggestView.as_view(), name="chain_suggest"),
    path(
        "<slug:code>/places/<int:pk>/<str:decision>/",
        views.LinkDecideView.as_view(),
        name="link_decide",
    ),
]
