"""Writes to the policy library and the ladder rules: each checks the rule, keeps its
version, audits the change and re-matches what it affects."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.core.audit import audit_record, diff, snapshot
from gongxin.core.choices import AuditAction
from gongxin.core.models import User
from gongxin.core.selectors import user_edits_everything
from gongxin.policies import rules
from gongxin.policies.models import Policy, RuleVersion, TierRule
from gongxin.policies.services.matching import facts_ensure, match_policy, tell_changed

POLICY_FIELDS = (
    "title",
    "issuer",
    "document_number",
    "summary",
    "effective_from",
    "effective_until",
    "status",
    "department",
    "benefit_kind",
    "amount_method",
    "amount",
    "rate",
    "base",
    "cap",
    "tiers",
    "without_application",
    "rule_text",
    "full_text",
)
#: Changes of these re-decide the policy for the archive.
MATCHED_ON = (
    "effective_from",
    "effective_until",
    "status",
    "amount_method",
    "amount",
    "rate",
    "base",
    "cap",
    "tiers",
    "rule_text",
)


def policy_can_edit(user: User) -> bool:
    return user_edits_everything(user)


def rule_check(text: str, field: str = "rule_text") -> str:
    """The rule, stripped, if it parses and checks; a ValidationError on `field` saying
    what is wrong and where otherwise."""
    text = (text or "").strip()
    try:
        rules.parse(text)
    except rules.RuleError as exc:
        raise ValidationError({field: ValidationError(str(exc), code=exc.code)}) from None
    return text


@transaction.atomic
def policy_save(
    *,
    actor: User | None,
    policy: Policy | None,
    data: dict[str, Any],
    chains=None,
) -> Policy:
    """Create or change a policy. Its rule is checked first; a new rule becomes a new
    version. When what decides eligibility or the amount changed, the policy is matched
    against the archive again and newly eligible enterprises are told."""
    if actor is not None and not policy_can_edit(actor):
        raise PermissionDenied(_("You may not edit policies."))
    creating = policy is None
    record = policy or Policy(created_by=actor if actor and actor.pk else None)
    if "rule_text" in data:
        data = {**data, "rule_text": rule_check(data["rule_text"])}
    before = {} if creating else snapshot(record, POLICY_FIELDS)
    before_chains = set() if creating else set(record.chains.values_list("pk", flat=True))
    for key in POLICY_FIELDS:
        if key in data:
            setattr(record, key, data[key])
    after = snapshot(record, POLICY_FIELDS)
    changes = diff(before, after)
    new_chains = before_chains if chains is None else {c.pk for c in chains}
    if new_chains != before_chains:
        changes["chains"] = [sorted(before_chains), sorted(new_chains)]
    if not changes:
        return record
    rule_changed = creating or "rule_text" in changes
    if rule_changed and not creating:
        record.rule_version += 1
    record.full_clean()
    if not creating:
        record.version += 1
    record.save()
    if chains is not None:
        record.chains.set(chains)
    if rule_changed:
        RuleVersion.objects.create(
            policy=record,
            number=record.rule_version,
            text=record.rule_text,
            saved_by=actor if actor and actor.pk else None,
            saved_at=timezone.now(),
        )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        obj=record,
        changes=changes,
    )
    if creating or any(key in changes for key in MATCHED_ON):
        outcome = match_policy(record)
        if not creating:  # those eligible before and after hear of the change too
            tell_changed(record, outcome.newly.get(record.pk, set()))
    return record


@transaction.atomic
def tier_rule_save(*, actor: User | None, tier: str, rule_text: str, note: str = "") -> TierRule:
    """Set the candidate rule of a rung of the ladder."""
    if actor is not None and not policy_can_edit(actor):
        raise PermissionDenied(_("You may not edit the ladder rules."))
    text = rule_check(rule_text)
    record = TierRule.objects.filter(tier=tier).first()
    before = {} if record is None else snapshot(record, ("rule_text", "note"))
    record = record or TierRule(tier=tier)
    record.rule_text, record.note = text, note.strip()
    record.updated_by = actor if actor and actor.pk else None
    changes = diff(before, snapshot(record, ("rule_text", "note")))
    facts_ensure(timezone.localdate())
    if changes:
        record.full_clean()
        record.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            obj=record,
            changes=changes,
        )
    return record
