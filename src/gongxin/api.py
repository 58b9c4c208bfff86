"""The JSON API at /api/v1/: OpenAPI schema at /api/v1/openapi.json, docs at /api/v1/docs."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from ninja import NinjaAPI

from gongxin.alerts.api import router as alerts_router
from gongxin.chains.api import router as chains_router
from gongxin.cockpit.api import router as cockpit_router
from gongxin.core.api import router as core_router
from gongxin.core.auth import API_AUTH
from gongxin.demands.api import router as demands_router
from gongxin.demands.api import visits_router
from gongxin.enterprises.api import router as enterprises_router
from gongxin.plans.api import router as plans_router
from gongxin.policies.api import router as policies_router
from gongxin.projects.api import router as projects_router

api = NinjaAPI(
    title="gongxin API",
    version="1",
    description="工信局工作平台 API: regions, departments, the enterprise archive (一企一档) "
    "the industrial chains (链长制), enterprise demands (企业诉求) and visits (走访), "
    "policies (政策找企业), key projects (重点项目) and parks, indicators (指标), early warnings "
    "(预警), the cockpit (驾驶舱) and plans put into practice (落实). "
    "Authenticate with `Authorization: Bearer <token>` (`gongxin token USERNAME`) or a session.",
    auth=API_AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/", core_router)
api.add_router("/enterprises", enterprises_router)
api.add_router("/chains", chains_router)
api.add_router("/demands", demands_router)
api.add_router("/visits", visits_router)
api.add_router("/policies", policies_router)
api.add_router("/projects", projects_router)
api.add_router("/alerts", alerts_router)
api.add_router("/plans", plans_router)
api.add_router("/", cockpit_router)


@api.exception_handler(ObjectDoesNotExist)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Forbidden."}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=422)
