from django.contrib import admin
from django.urls import include, path

from gongxin.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("enterprises/", include("gongxin.enterprises.urls")),
    path("chains/", include("gongxin.chains.urls")),
    path("demands/", include("gongxin.demands.urls")),
    path("visits/", include("gongxin.demands.visit_urls")),
    path("policies/", include("gongxin.policies.urls")),
    path("projects/", include("gongxin.projects.urls")),
    path("indicators/", include("gongxin.indicators.urls")),
    path("alerts/", include("gongxin.alerts.urls")),
    path("cockpit/", include("gongxin.cockpit.urls")),
    path("plans/", include("gongxin.plans.urls")),
    path("", include("gongxin.core.urls")),
]
