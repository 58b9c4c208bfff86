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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
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
    project_investments,
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
    many rows were written. Two statements: the facts from the files, then the
    investment of those with projects."""
    on = on or timezone.localdate()
    stale = Fact.objects.all()
    source = Enterprise.objects.all()
    ids = None
    if enterprise_ids is not None:
        ids = list(enterprise_ids)
        stale, source = stale.filter(enterprise_id__in=ids), source.filter(pk__in=ids)
    select, params = facts_rows(on, source).query.sql_with_params()
    invested, invested_params = project_investments(ids).query.sql_with_params()
    table = Fact._meta.db_table
    columns = ", ".join(
        connection.ops.quote_name(c) for c in ("enterprise_id", "year", *FACT_FIELDS)
    )
    with transaction.atomic():
        stale.delete()
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)
            written = cursor.rowcount
            cursor.execute(
                f"UPDATE {table} SET upgrade_investment = p.upgrade_investment, "
                f"project_investment = p.project_investment FROM ({invested}) p "
                f"WHERE {table}.enterprise_id = p.owner",
                invested_params,
            )
            return written


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
    fresh: bool = False,
) -> Outcome:
    """Decide `policy` for every operating enterprise in the database (none when it is
    not in force) and write only what changed: rows no longer found are deleted, changed
    ones updated, new ones inserted — a daily run that changes little writes little.
    `fresh`: the policy has no stored matches (`match_all` on an empty table), so the
    rows found are inserted without comparing."""
    on = on or timezone.localdate()
    outcome = outcome if outcome is not None else Outcome()
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
        eligible, unknown, newly = _write(policy, select, params, fresh=fresh, newly=tell)
        outcome.eligible += eligible
        outcome.unknown += unknown
        if tell and newly:
            outcome.newly[policy.pk] |= newly
            _tell_later({policy.pk: newly})
    if dated:  # (match_all dates every policy at once)
        Policy.objects.filter(pk=policy.pk).update(matched_on=on)
    return outcome


_MATCHED = (
    "SELECT s.enterprise_id, CASE WHEN s.ok THEN %s ELSE %s END AS result, "
    "CASE WHEN s.ok THEN s.amount END AS benefit FROM ({select}) s WHERE s.ok IS NOT FALSE"
)


def _write(
    policy: Policy, select: str, params, *, fresh: bool = False, newly: bool = True
) -> tuple[int, int, set[int]]:
    """Bring the stored matches of `policy` to the rows `select` finds (enterprise_id,
    ok, amount): on PostgreSQL one statement, which joins the rows found to the stored
    ones once and deletes, updates and inserts the difference; on SQLite the rows go
    through a temporary table. `fresh`: nothing is stored, the rows are inserted.
    Returns how many are eligible, how many need information and (with `newly`) the
    enterprises eligible now that were not before."""
    table = Match._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    pk, version = policy.pk, policy.rule_version
    eligible, unknown = MatchResult.ELIGIBLE, MatchResult.UNKNOWN
    found = _MATCHED.format(select=select)
    found_params = [eligible, unknown, *params]
    columns = f"{table} (policy_id, enterprise_id, result, benefit, rule_version, matched_at)"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            counts = "count(*) FILTER (WHERE result = %s), count(*) FILTER (WHERE result = %s)"
            if fresh:
                became = "array_agg(enterprise_id) FILTER (WHERE result = %s)"
                cursor.execute(
                    f"WITH added AS (INSERT INTO {columns} SELECT %s, f.enterprise_id, f.result, "
                    f"f.benefit, %s, %s FROM ({found}) f RETURNING enterprise_id, result) "
                    f"SELECT {counts}, {became if newly else 'NULL'} FROM added",
                    [pk, version, now, *found_params, eligible, unknown] + [eligible] * newly,
                )
            else:
                # one pass over the policy's stored rows: `diff` holds the rows to delete
                # (nothing found), to update (found otherwise) and to insert (none stored)
                became = (
                    "(SELECT array_agg(enterprise_id) FILTER "
                    "(WHERE result = %s AND was IS DISTINCT FROM %s) FROM diff)"
                )
                cursor.execute(
                    f"WITH found AS MATERIALIZED ({found}), "
                    "diff AS MATERIALIZED (SELECT m.id, m.result AS was, f.enterprise_id, "
                    "f.result, f.benefit FROM (SELECT id, enterprise_id, result, benefit, "
                    f"rule_version FROM {table} WHERE policy_id = %s) m "
                    "FULL JOIN found f ON f.enterprise_id = m.enterprise_id "
                    "WHERE m.id IS NULL OR f.enterprise_id IS NULL OR "
                    "(m.result, m.benefit, m.rule_version) IS DISTINCT FROM "
                    "(f.result, f.benefit, %s)), "
                    f"gone AS (DELETE FROM {table} m USING diff d "
                    "WHERE m.id = d.id AND d.enterprise_id IS NULL), "
                    f"changed AS (UPDATE {table} m SET result = d.result, benefit = d.benefit, "
                    "rule_version = %s, matched_at = %s FROM diff d "
                    "WHERE m.id = d.id AND d.enterprise_id IS NOT NULL), "
                    f"added AS (INSERT INTO {columns} SELECT %s, d.enterprise_id, d.result, "
                    "d.benefit, %s, %s FROM diff d WHERE d.id IS NULL) "
                    f"SELECT {counts}, {became if newly else 'NULL'} FROM found",
                    [*found_params, pk, version, version, now, pk, version, now, eligible, unknown]
                    + [eligible, eligible] * newly,
                )
            counted_eligible, counted_unknown, became_ids = cursor.fetchone()
            return counted_eligible, counted_unknown, set(became_ids or ())
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS policies_found "
            "(enterprise_id INTEGER PRIMARY KEY, result TEXT, benefit NUMERIC)"
        )
        cursor.execute("DELETE FROM policies_found")
        cursor.execute(f"INSERT INTO policies_found {found}", found_params)
        became_ids = set()
        if newly:
            cursor.execute(
                "SELECT enterprise_id FROM policies_found f WHERE result = %s AND NOT EXISTS "
                f"(SELECT 1 FROM {table} m WHERE m.policy_id = %s "
                "AND m.enterprise_id = f.enterprise_id AND m.result = %s)",
                [eligible, pk, eligible],
            )
            became_ids = {row[0] for row in cursor.fetchall()}
        if not fresh:
            cursor.execute(
                f"DELETE FROM {table} WHERE policy_id = %s AND enterprise_id NOT IN "
                "(SELECT enterprise_id FROM policies_found)",
                [pk],
            )
            cursor.execute(
                f"UPDATE {table} SET result = f.result, benefit = f.benefit, "
                f"rule_version = %s, matched_at = %s FROM policies_found f "
                f"WHERE {table}.policy_id = %s AND {table}.enterprise_id = f.enterprise_id "
                f"AND ({table}.result IS NOT f.result OR {table}.benefit IS NOT f.benefit "
                f"OR {table}.rule_version IS NOT %s)",
                [version, now, pk, version],
            )
        cursor.execute(
            f"INSERT INTO {columns} SELECT %s, f.enterprise_id, f.result, f.benefit, %s, %s "
            f"FROM policies_found f WHERE NOT EXISTS (SELECT 1 FROM {table} m "
            "WHERE m.policy_id = %s AND m.enterprise_id = f.enterprise_id)",
            [pk, version, now, pk],
        )
        cursor.execute(
            "SELECT count(CASE WHEN result = %s THEN 1 END), "
            "count(CASE WHEN result = %s THEN 1 END) FROM policies_found",
            [eligible, unknown],
        )
        counted_eligible, counted_unknown = cursor.fetchone()
        return counted_eligible, counted_unknown, became_ids


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
    with _loading_if_empty(Match) as fresh:
        for done, policy in enumerate(policies, start=1):
            match_policy(
                policy, on=on, tell=tell, outcome=outcome, ensure=False, dated=False, fresh=fresh
            )
            if progress is not None:
                progress(done, len(policies))
    Policy.objects.filter(pk__in=[p.pk for p in policies]).update(matched_on=on)
    return outcome


@contextmanager
def _loading_if_empty(model) -> Iterator[bool]:
    """Yields whether the model's table is empty, for a bulk load into it. On PostgreSQL an
    empty table is locked until the transaction ends and loses its indexes (and the
    constraints they back) until the load is done: building an index once is several
    times faster than adding half a million rows to it one by one (the manual's
    "Populating a Database"). A load that fails leaves them in place (the transaction
    rolls back)."""
    if not model.objects.exists():
        if connection.vendor != "postgresql":
            yield True
            return
        table = model._meta.db_table
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {quote(table)} IN ACCESS EXCLUSIVE MODE")
            if not model.objects.exists():  # (nobody wrote in between)
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('p', 'u')",
                    [table],
                )
                constraints = cursor.fetchall()
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes "
                    "WHERE schemaname = current_schema() AND tablename = %s",
                    [table],
                )
                backed = {name for name, _ in constraints}
                indexes = [row for row in cursor.fetchall() if row[0] not in backed]
                for name, _ in indexes:
                    cursor.execute(f"DROP INDEX {quote(name)}")
                for name, _ in constraints:
                    cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                yield True
                for name, definition in constraints:
                    cursor.execute(
                        f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
                    )
                for _, definition in indexes:
                    cursor.execute(definition)
                return
    yield False


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
