"""Writes to demands and visits (one function each, with its checks, transaction and
audit entry): the closed loop (`loop`), the desk's changes, extensions, merging and
attachments (`changes`), visit plans and visits (`visits`)."""

from gongxin.demands.services.changes import (
    attachments_add,
    demand_merge,
    demand_recategorize,
    duplicate_dismiss,
    extension_decide,
    extension_request,
)
from gongxin.demands.services.loop import (
    DEFAULT_SLA,
    STEPS,
    Conflict,
    FactorAsk,
    advance,
    allowed_actions,
    demand_register,
    demand_step,
    extensions_withdraw,
    sla,
    terms_count,
    terms_rebuild,
)
from gongxin.demands.services.visits import (
    visit_plan_create,
    visit_plan_generate,
    visit_record,
)

__all__ = [
    "DEFAULT_SLA",
    "STEPS",
    "Conflict",
    "FactorAsk",
    "advance",
    "allowed_actions",
    "attachments_add",
    "demand_merge",
    "demand_recategorize",
    "demand_register",
    "demand_step",
    "duplicate_dismiss",
    "extension_decide",
    "extension_request",
    "extensions_withdraw",
    "sla",
    "terms_count",
    "terms_rebuild",
    "visit_plan_create",
    "visit_plan_generate",
    "visit_record",
]
