"""Matching policies and enterprises (政策找企业), kept up to date as either changes.

- `facts_refresh` recomputes the rule language's facts of enterprises (`Fact`) in the
  database, one INSERT … SELECT for any number of them.
- `match_policy` decides one policy for the whole archive in the database: one INSERT …
  SELECT of the rule compiled to SQL (after a policy is saved, and in bulk).
- `match_enterprises` re-decides every policy in force for a few enterprises in memory,
  from their stored facts (after an enterprise's file changes): the same three values, as
  the tests check on random rules and enterprises.
- `match_all` refreshes every enterprise's facts and matches every policy (`gongxin match`,
  and the daily run that lets qualifications expire and the year turn).

Enterprises that become eligible are told, once the transaction commits."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.chains.choices import LinkStatus
from gongxin.chains.models import EnterpriseNode
from gongxin.core.choices import Role
from gongxin.core.models import User
from gongxin.core.notify import Message, notify
from gongxin.enterprises.models import Enterprise
from gongxin.enterprises.selectors import valid_qualifications
from gongxin.policies import rules
from gongxin.policies.benefits import Benefit, money
from gongxin.policies.choices import MatchResult, PolicyStatus
from gongxin.policies.models import Fact, Match, Policy, TierRule
from gongxin.policies.selectors import (
    FACT_FIELDS,
    NUMBER,
    benefit_expression,
    compile_rule,
    facts_rows,
    never_unknown,
)

#: Above this many enterprises, a change is re-matched policy by policy in the database
#: rather than enterprise by enterprise in memory.
IN_MEMORY_LIMIT = 500


@lru_cache(maxsize=4096)
def parsed(text: str):
    """A stored rule's tree (stored rules were checked when saved)."""
    return rules.parse(text)


def policies_in_force(on: dt.date) -> QuerySet[Policy]:
    return Policy.objects.filter(status=PolicyStatus.PUBLISHED, effective_from__lte=on).filter(
        Q(effective_until__isnull=True) | Q(effective_until__gte=on)
    )


# Facts ------------------------------------------------------------------------------------


def facts_refresh(*, enterprise_ids: Iterable[int] | None = None, on: dt.date | None = None) -> int:
    """Recompute the facts of these enterprises (all when None) as of `on`; returns how
    many rows were written."""
    on = on or timezone.localdate()
    stale = Fact.objects.all()
    source = Enterprise.objects.all()
    if enterprise_ids is not None:
        ids = list(enterprise_ids)
        stale, source = stale.filter(enterprise_id__in=ids), source.filter(pk__in=ids)
    select, params = facts_rows(on, source).query.sql_with_params()
    columns = ", ".join(
        connection.ops.quote_name(c) for c in ("enterprise_id", "year", *FACT_FIELDS)
    )
    with transaction.atomic():
        stale.delete()
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {Fact._meta.db_table} ({columns}) {select}", params)
            return cursor.rowcount


def facts_ensure(on: dt.date) -> None:
    """Compute the facts if some enterprise has none (after `match_all` found nothing to
    match and dropped them, or an enterprise came in by a path that announced nothing)."""
    if Fact.objects.count() != Enterprise.objects.count():
        facts_refresh(on=on)


def facts_in_memory(enterprise_ids: Iterable[int], on: dt.date) -> dict[int, dict]:
    """The stored facts of these enterprises as `rules.evaluate` takes them, with the
    qualifications they hold on `on` and the chains they are confirmed on (three queries)."""
    ids = list(enterprise_ids)
    facts = {
        row["enterprise_id"]: {**row, "qualifications": set(), "chains": set()}
        for row in Fact.objects.filter(enterprise_id__in=ids).values("enterprise_id", *FACT_FIELDS)
    }
    held = valid_qualifications(on).filter(enterprise_id__in=ids)
    for enterprise_id, kind in held.values_list("enterprise_id", "kind"):
        if enterprise_id in facts:
            facts[enterprise_id]["qualifications"].add(kind)
    links = EnterpriseNode.objects.filter(enterprise_id__in=ids, status=LinkStatus.CONFIRMED)
    for enterprise_id, chain in links.values_list("enterprise_id", "node__chain__code"):
        if enterprise_id in facts:
            facts[enterprise_id]["chains"].add(chain)
    return facts


def decide(
    policy: Policy, facts: dict, outcomes: list | None = None, names: dict | None = None
) -> tuple[str, Decimal | None]:
    """One policy for one enterprise's facts, in memory: (result, amount due); each
    criterion's outcome appended to `outcomes` when given (as `rules.evaluate`)."""
    outcome = rules.evaluate(parsed(policy.rule_text), facts, outcomes, names)
    if not facts.get("operating"):
        return MatchResult.INELIGIBLE, None
    if outcome is None:
        return MatchResult.UNKNOWN, None
    if not outcome:
        return MatchResult.INELIGIBLE, None
    return MatchResult.ELIGIBLE, Benefit.of(policy).compute(facts)


# Matching ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a match changed: the enterprises newly eligible per policy, and counts."""

    newly: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    eligible: int = 0
    unknown: int = 0

    @property
    def told(self) -> int:
        return sum(len(v) for v in self.newly.values())


def _eligible_ids(policy_id: int) -> set[int]:
    return set(
        Match.objects.filter(policy_id=policy_id, result=MatchResult.ELIGIBLE).values_list(
            "enterprise_id", flat=True
        )
    )


@transaction.atomic
def match_policy(
    policy: Policy,
    *,
    on: dt.date | None = None,
    tell: bool = True,
    outcome: Outcome | None = None,
    ensure: bool = True,
    dated: bool = True,
) -> Outcome:
    """Decide `policy` for every operating enterprise in the database (none when it is
    not in force) and write only what changed: rows no longer found are deleted, changed
    ones updated, new ones inserted — a daily run that changes little writes little."""
    on = on or timezone.localdate()
    outcome = outcome if outcome is not None else Outcome()
    before = _eligible_ids(policy.pk) if tell else set()
    if not policy.in_force(on):
        Match.objects.filter(policy=policy).delete()
    else:
        if ensure:
            facts_ensure(on)
        amount = benefit_expression(Benefit.of(policy)) or Cast(Value(None), NUMBER)
        rule = parsed(policy.rule_text)
        select, params = (
            Fact.objects.filter(*never_unknown(rule, on), operating=True)
            .annotate(ok=compile_rule(rule, on), amount=amount)
            .order_by()
            .values_list("enterprise_id", "ok", "amount")
            .query.sql_with_params()
        )
        eligible, unknown = _write(policy, select, params)
        outcome.eligible += eligible
        outcome.unknown += unknown
    if dated:  # (match_all dates every policy at once)
        Policy.objects.filter(pk=policy.pk).update(matched_on=on)
    if tell:
        newly = _eligible_ids(policy.pk) - before
        if newly:
            outcome.newly[policy.pk] |= newly
            _tell_later({policy.pk: newly})
    return outcome


_MATCHED = (
    "SELECT s.enterprise_id, CASE WHEN s.ok THEN %s ELSE %s END AS result, "
    "CASE WHEN s.ok THEN s.amount END AS benefit FROM ({select}) s WHERE s.ok IS NOT FALSE"
)


def _write(policy: Policy, select: str, params) -> tuple[int, int]:
    """Bring the stored matches of `policy` to the rows `select` finds (enterprise_id,
    ok, amount): one statement on PostgreSQL (a writable CTE over the rows found once);
    on SQLite the rows go through a temporary table. Returns how many are eligible and
    how many need information."""
    table = Match._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    pk, version = policy.pk, policy.rule_version
    found = _MATCHED.format(select=select)
    found_params = [MatchResult.ELIGIBLE, MatchResult.UNKNOWN, *params]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH found AS MATERIALIZED ({found}), "
                f"gone AS (DELETE FROM {table} m WHERE m.policy_id = %s AND NOT EXISTS "
                "(SELECT 1 FROM found f WHERE f.enterprise_id = m.enterprise_id)), "
                f"changed AS (UPDATE {table} m SET result = f.result, benefit = f.benefit, "
                "rule_version = %s, matched_at = %s FROM found f WHERE m.policy_id = %s "
                "AND m.enterprise_id = f.enterprise_id AND (m.result, m.benefit, m.rule_version) "
                "IS DISTINCT FROM (f.result, f.benefit, %s)), "
                f"added AS (INSERT INTO {table} (policy_id, enterprise_id, result, benefit, "
                "rule_version, matched_at) SELECT %s, f.enterprise_id, f.result, f.benefit, %s, "
                f"%s FROM found f WHERE NOT EXISTS (SELECT 1 FROM {table} m "
                "WHERE m.policy_id = %s AND m.enterprise_id = f.enterprise_id)) "
                "SELECT count(*) FILTER (WHERE result = %s), count(*) FILTER (WHERE result = %s) "
                "FROM found",
                [
                    *found_params,
                    *(pk, version, now, pk, version, pk, version, now, pk),
                    MatchResult.ELIGIBLE,
                    MatchResult.UNKNOWN,
                ],
            )
            return cursor.fetchone()
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS policies_found "
            "(enterprise_id INTEGER PRIMARY KEY, result TEXT, benefit NUMERIC)"
        )
        cursor.execute("DELETE FROM policies_found")
        cursor.execute(f"INSERT INTO policies_found {found}", found_params)
        cursor.execute(
            f"DELETE FROM {table} WHERE policy_id = %s AND enterprise_id NOT IN "
            "(SELECT enterprise_id FROM policies_found)",
            [pk],
        )
        cursor.execute(
            f"UPDATE {table} SET result = f.result, benefit = f.benefit, rule_version = %s, "
            f"matched_at = %s FROM policies_found f WHERE {table}.policy_id = %s "
            f"AND {table}.enterprise_id = f.enterprise_id AND ({table}.result IS NOT f.result "
            f"OR {table}.benefit IS NOT f.benefit OR {table}.rule_version IS NOT %s)",
            [version, now, pk, version],
        )
        cursor.execute(
            f"INSERT INTO {table} (policy_id, enterprise_id, result, benefit, rule_version, "
            "matched_at) SELECT %s, f.enterprise_id, f.result, f.benefit, %s, %s "
            f"FROM policies_found f WHERE NOT EXISTS (SELECT 1 FROM {table} m "
            "WHERE m.policy_id = %s AND m.enterprise_id = f.enterprise_id)",
            [pk, version, now, pk],
        )
        cursor.execute(
            "SELECT count(CASE WHEN result = %s THEN 1 END), "
            "count(CASE WHEN result = %s THEN 1 END) FROM policies_found",
            [MatchResult.ELIGIBLE, MatchResult.UNKNOWN],
        )
        return cursor.fetchone()


@transaction.atomic
def match_enterprises(
    enterprise_ids: Iterable[int], *, on: dt.date | None = None, tell: bool = True
) -> Outcome:
    """Re-decide every policy in force for these enterprises after their files changed:
    their facts are recomputed, then each policy is decided in memory and only what
    changed is written (many enterprises at once go policy by policy in the database)."""
    on = on or timezone.localdate()
    ids = sorted(set(enterprise_ids))
    outcome = Outcome()
    if not ids:
        return outcome
    policies = list(policies_in_force(on))
    if not policies and not TierRule.objects.exists():
        return outcome  # nothing decides on facts now; they are computed when needed
    facts_refresh(enterprise_ids=ids, on=on)
    if len(ids) > IN_MEMORY_LIMIT:
        for policy in policies:
            match_policy(policy, on=on, tell=tell, outcome=outcome)
        return outcome
    facts = facts_in_memory(ids, on)
    stored = {
        (m.policy_id, m.enterprise_id): m for m in Match.objects.filter(enterprise_id__in=ids)
    }
    now = timezone.now()
    create, update, keep = [], [], set()
    for policy in policies:
        for enterprise_id, known in facts.items():
            result, amount = decide(policy, known)
            if result == MatchResult.INELIGIBLE:
                continue
            key = (policy.pk, enterprise_id)
            keep.add(key)
            if result == MatchResult.ELIGIBLE:
                outcome.eligible += 1
            else:
                outcome.unknown += 1
            match = stored.get(key)
            if result == MatchResult.ELIGIBLE and (
                match is None or match.result != MatchResult.ELIGIBLE
            ):
                outcome.newly[policy.pk].add(enterprise_id)
            if match is None:
                create.append(
                    Match(
                        policy=policy,
                        enterprise_id=enterprise_id,
                        result=result,
                        benefit=amount,
                        rule_version=policy.rule_version,
                        matched_at=now,
                    )
                )
            elif (match.result, match.benefit, match.rule_version) != (
                result,
                amount,
                policy.rule_version,
            ):
                match.result, match.benefit = result, amount
                match.rule_version, match.matched_at = policy.rule_version, now
                update.append(match)
    gone = [m.pk for key, m in stored.items() if key not in keep]
    if gone:
        Match.objects.filter(pk__in=gone).delete()
    Match.objects.bulk_create(create)
    Match.objects.bulk_update(update, ["result", "benefit", "rule_version", "matched_at"])
    if tell and outcome.newly:
        _tell_later(outcome.newly)
    return outcome


@transaction.atomic
def match_all(
    *,
    on: dt.date | None = None,
    tell: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Refresh every enterprise's facts and decide every policy for the whole archive, in
    one transaction (readers see the matches before or after, never half of them);
    policies no longer in force lose their matches. With no policy in force and no ladder
    rule there is nothing to decide: the facts are dropped, to be computed when needed."""
    on = on or timezone.localdate()
    if not policies_in_force(on).exists() and not TierRule.objects.exists():
        Match.objects.all().delete()
        Fact.objects.all().delete()
        return Outcome()
    facts_refresh(on=on)
    # by policy, through the index: not a scan of every match
    out_of_force = Policy.objects.exclude(pk__in=policies_in_force(on).values("pk"))
    Match.objects.filter(policy__in=list(out_of_force.values_list("pk", flat=True))).delete()
    policies = list(policies_in_force(on))
    outcome = Outcome()
    for done, policy in enumerate(policies, start=1):
        match_policy(policy, on=on, tell=tell, outcome=outcome, ensure=False, dated=False)
        if progress is not None:
            progress(done, len(policies))
    Policy.objects.filter(pk__in=[p.pk for p in policies]).update(matched_on=on)
    return outcome


# Telling ----------------------------------------------------------------------------------


def _tell_later(newly: dict[int, set[int]], *, changed: bool = False) -> None:
    """Tell the users of each newly eligible enterprise (with `changed`: of each enterprise
    still eligible under a policy that changed), once the transaction commits."""
    pairs = {pid: set(ids) for pid, ids in newly.items()}
    transaction.on_commit(lambda: _tell(pairs, changed=changed))


def tell_changed(policy: Policy, told: set[int]) -> None:
    """A policy changed: tell the enterprises that were and still are eligible (those
    newly eligible, `told`, have been told already)."""
    still = _eligible_ids(policy.pk) - told
    if still:
        _tell_later({policy.pk: still}, changed=True)


def _tell(newly: dict[int, set[int]], *, changed: bool = False) -> int:
    enterprise_ids = set().union(*newly.values())
    users = defaultdict(list)
    for user in User.objects.filter(
        role=Role.ENTERPRISE, is_active=True, enterprise_id__in=enterprise_ids
    ):
        users[user.enterprise_id].append(user)
    if not users:
        return 0
    policies = Policy.objects.in_bulk(newly)
    amounts = {
        (m.policy_id, m.enterprise_id): m.benefit
        for m in Match.objects.filter(
            policy_id__in=newly, enterprise_id__in=users, benefit__isnull=False
        )
    }
    messages = []
    for policy_id, ids in newly.items():
        policy = policies[policy_id]
        url = reverse("policies:policy_detail", args=[policy_id])
        for enterprise_id in ids & users.keys():
            if changed:
                title = _("A policy you qualify for has changed: %(title)s")
                body = _("Your enterprise still meets its conditions; read what changed.")
            else:
                title = _("A policy you qualify for: %(title)s")
                body = _("Your enterprise meets the conditions of this policy.")
            title = title % {"title": policy.title}
            amount = amounts.get((policy_id, enterprise_id))
            if amount is not None:
                body += " " + _("Amount it provides: %(amount)s.") % {"amount": money(amount)}
            messages.extend(Message(u, title, body, url) for u in users[enterprise_id])
    return notify(messages, email=False)
