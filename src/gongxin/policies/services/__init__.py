"""Writes of policies (one function each, with its checks, transaction and audit entry):
matching (`matching`), the library and the ladder rules (`library`), applications and
disbursement (`applications`). Cultivation plans are kept by `enterprises.services`."""

from gongxin.policies.services.applications import (
    Conflict,
    application_can_handle,
    application_can_submit,
    application_decide,
    application_disburse,
    application_review,
    application_submit,
    application_withdraw,
    grant_without_application,
)
from gongxin.policies.services.library import (
    policy_can_edit,
    policy_save,
    rule_check,
    tier_rule_save,
)
from gongxin.policies.services.matching import (
    decide,
    facts_in_memory,
    facts_refresh,
    match_all,
    match_enterprises,
    match_policy,
    parsed,
    policies_in_force,
)

__all__ = [
    "Conflict",
    "application_can_handle",
    "application_can_submit",
    "application_decide",
    "application_disburse",
    "application_review",
    "application_submit",
    "application_withdraw",
    "decide",
    "facts_in_memory",
    "facts_refresh",
    "grant_without_application",
    "match_all",
    "match_enterprises",
    "match_policy",
    "parsed",
    "policies_in_force",
    "policy_can_edit",
    "policy_save",
    "rule_check",
    "tier_rule_save",
]
