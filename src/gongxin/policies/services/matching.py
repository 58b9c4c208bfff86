"""Matching policies and enterprises (政策找企业), kept up to date as either changes.

- `facts_refresh` recomputes the rule language's facts of enterprises (`Fact`) in the
  database, one INSERT … SELECT for any number of them.
- `match_policies` decides policies for the whole archive in the database, a batch at a
  time: the rows each rule compiled to SQL finds, gathered by one statement, then compared
  with the stored matches by one more; `match_policy` decides one (after it is saved).
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
    project_investments,
)

#: Above this many enterprises, a change is re-matched policy by policy in the database
#: rather than enterprise by enterprise in memory.
IN_MEMORY_LIMIT = 500
#: Policies decided together in the database: their rows found are gathered by one
#: statement and compared with the stored ones by one more.
BATCH = 25


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
    many rows were written. The whole archive's are computed aside and only the rows that
    changed are written: a daily refresh rewrites the few files that changed, and the
    table every policy then scans keeps its size. A few enterprises' rows are replaced."""
    on = on or timezone.localdate()
    table = Fact._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if enterprise_ids is not None:
            ids = list(enterprise_ids)
            Fact.objects.filter(enterprise_id__in=ids).delete()
            return _facts_insert(cursor, table, on, ids)
        if connection.vendor == "postgresql":
            with _planning(cursor):  # (CREATE TABLE … AS may run in parallel)
                _facts_insert(cursor, "policies_fact_new", on, create=True)
        else:
            cursor.execute(f"CREATE TEMP TABLE policies_fact_new AS SELECT * FROM {table} WHERE 0")
            cursor.execute(
                "CREATE UNIQUE INDEX policies_fact_new_key ON policies_fact_new (enterprise_id)"
            )
            _facts_insert(cursor, "policies_fact_new", on)
        written = _facts_write(cursor)
        cursor.execute("DROP TABLE policies_fact_new")
        return written


_FACT_COLUMNS = ("enterprise_id", "year", *FACT_FIELDS)


def _facts_insert(
    cursor, table: str, on: dt.date, ids: list[int] | None = None, *, create: bool = False
) -> int:
    """The facts of these enterprises (all when None) into `table` (with `create`, a new
    temporary table of those rows): one INSERT … SELECT, then the investment of those
    with projects. Returns how many rows."""
    source = Enterprise.objects.all() if ids is None else Enterprise.objects.filter(pk__in=ids)
    select, params = facts_rows(on, source).query.sql_with_params()
    columns = ", ".join(connection.ops.quote_name(c) for c in _FACT_COLUMNS)
    if create:
        cursor.execute(f"CREATE TEMPORARY TABLE {table} ({columns}) AS {select}", params)
    else:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)
    written = cursor.rowcount
    invested, invested_params = project_investments(ids).query.sql_with_params()
    cursor.execute(
        f"UPDATE {table} SET upgrade_investment = p.upgrade_investment, "
        f"project_investment = p.project_investment FROM ({invested}) p "
        f"WHERE {table}.enterprise_id = p.owner",
        invested_params,
    )
    return written


def _facts_write(cursor) -> int:
    """Bring the stored facts to those in `policies_fact_new`: rows no longer computed are
    deleted, changed ones updated, new ones inserted; returns how many. On PostgreSQL one
    statement that joins both once; on SQLite one statement for each."""
    table = Fact._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in _FACT_COLUMNS)
    compared = [quote(c) for c in _FACT_COLUMNS if c != "enterprise_id"]
    if connection.vendor == "postgresql":
        differs = (
            f"({', '.join(f's.{c}' for c in compared)}) IS DISTINCT FROM "
            f"({', '.join(f'n.{c}' for c in compared)})"
        )
        cursor.execute(
            f"WITH diff AS MATERIALIZED (SELECT s.enterprise_id AS stored, n.* FROM {table} s "
            "FULL JOIN policies_fact_new n ON n.enterprise_id = s.enterprise_id "
            f"WHERE s.enterprise_id IS NULL OR n.enterprise_id IS NULL OR {differs}), "
            f"gone AS (DELETE FROM {table} t USING diff d "
            "WHERE d.enterprise_id IS NULL AND t.enterprise_id = d.stored), "
            f"changed AS (UPDATE {table} t SET {', '.join(f'{c} = d.{c}' for c in compared)} "
            "FROM diff d WHERE d.stored IS NOT NULL AND d.enterprise_id IS NOT NULL "
            "AND t.enterprise_id = d.stored), "
            f"added AS (INSERT INTO {table} ({columns}) SELECT {columns} FROM diff d "
            "WHERE d.stored IS NULL) "
            "SELECT count(*) FROM diff"
        )
        return cursor.fetchone()[0]
    cursor.execute(
        f"DELETE FROM {table} WHERE NOT EXISTS (SELECT 1 FROM policies_fact_new n "
        f"WHERE n.enterprise_id = {table}.enterprise_id)"
    )
    written = cursor.rowcount
    cursor.execute(
        f"UPDATE {table} SET {', '.join(f'{c} = n.{c}' for c in compared)} "
        f"FROM policies_fact_new n WHERE {table}.enterprise_id = n.enterprise_id AND "
        f"({', '.join(f'{table}.{c}' for c in compared)}) IS NOT "
        f"({', '.join(f'n.{c}' for c in compared)})"
    )
    written += cursor.rowcount
    cursor.execute(
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM policies_fact_new n "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} s WHERE s.enterprise_id = n.enterprise_id)"
    )
    return written + cursor.rowcount


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
) -> Outcome:
    """Decide `policy` for every operating enterprise in the database (none when it is
    not in force) and write only what changed (after the policy is saved)."""
    on = on or timezone.localdate()
    outcome = outcome if outcome is not None else Outcome()
    if not policy.in_force(on):
        Match.objects.filter(policy=policy).delete()
    else:
        facts_ensure(on)
        match_policies([policy], on=on, tell=tell, outcome=outcome)
    Policy.objects.filter(pk=policy.pk).update(matched_on=on)
    return outcome


def match_policies(
    policies: list[Policy],
    *,
    on: dt.date,
    tell: bool = True,
    outcome: Outcome | None = None,
    fresh: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Decide these policies (in force on `on`) for every operating enterprise from the
    stored facts, and write only what changed: rows no longer found are deleted, changed
    ones updated, new ones inserted — a daily run that changes little writes little.
    They go `BATCH` at a time: the rows every policy of a batch finds are gathered first,
    by one statement (on PostgreSQL the planner may run its scans in parallel), then
    compared with the stored ones at once; `progress(done, total)` after each batch.
    `fresh`: the policies have no stored matches (`match_all` on an empty table), so
    what is found is inserted without comparing."""
    outcome = outcome if outcome is not None else Outcome()
    for start in range(0, len(policies), BATCH):
        batch = policies[start : start + BATCH]
        _match_batch(batch, on=on, tell=tell, outcome=outcome, fresh=fresh)
        if progress is not None:
            progress(start + len(batch), len(policies))
    return outcome


@transaction.atomic
def _match_batch(
    policies: list[Policy], *, on: dt.date, tell: bool, outcome: Outcome, fresh: bool
) -> None:
    with connection.cursor() as cursor, _planning(cursor):
        _found(cursor, policies, on)
        newly = _write(cursor, [p.pk for p in policies], fresh=fresh, newly=tell)
        cursor.execute(
            "SELECT count(CASE WHEN result = %s THEN 1 END), "
            "count(CASE WHEN result = %s THEN 1 END) FROM policies_found",
            [MatchResult.ELIGIBLE, MatchResult.UNKNOWN],
        )
        eligible, unknown = cursor.fetchone()
        cursor.execute("DROP TABLE policies_found")
    outcome.eligible += eligible
    outcome.unknown += unknown
    if newly:
        for policy_id, ids in newly.items():
            outcome.newly[policy_id] |= ids
        _tell_later(newly)


#: What one policy finds: every operating enterprise it does not reject, eligible (with
#: the amount due) or needing information.
_FOUND = (
    "SELECT CAST(%s AS bigint) AS policy_id, s.enterprise_id, "
    "CAST(CASE WHEN s.ok THEN %s ELSE %s END AS varchar(10)) AS result, "
    "CASE WHEN s.ok THEN s.amount END AS benefit, CAST(%s AS integer) AS rule_version "
    "FROM ({select}) s WHERE s.ok IS NOT FALSE"
)


def _found_sql(policy: Policy, on: dt.date) -> tuple[str, list]:
    amount = benefit_expression(Benefit.of(policy)) or Cast(Value(None), NUMBER)
    rule = parsed(policy.rule_text)
    select, params = (
        Fact.objects.filter(operating=True)
        .annotate(ok=compile_rule(rule, on), amount=amount)
        .order_by()
        .values_list("enterprise_id", "ok", "amount")
        .query.sql_with_params()
    )
    head = [policy.pk, MatchResult.ELIGIBLE, MatchResult.UNKNOWN, policy.rule_version]
    return _FOUND.format(select=select), [*head, *params]


def _found(cursor, policies: list[Policy], on: dt.date) -> None:
    """The rows the policies find, in the temporary table `policies_found`. On PostgreSQL
    one CREATE TABLE … AS of their union, which the planner may run in parallel (an
    INSERT … SELECT may not); SQLite takes them one by one (it caps a compound SELECT at
    500 terms)."""
    found = [_found_sql(policy, on) for policy in policies]
    if connection.vendor == "postgresql":
        cursor.execute(
            "CREATE TEMPORARY TABLE policies_found AS "
            + " UNION ALL ".join(sql for sql, _ in found),
            [param for _, params in found for param in params],
        )
        return
    cursor.execute(
        "CREATE TEMP TABLE policies_found (policy_id INTEGER, enterprise_id INTEGER, "
        "result TEXT, benefit NUMERIC, rule_version INTEGER, "
        "PRIMARY KEY (policy_id, enterprise_id))"
    )
    for sql, params in found:
        cursor.execute(f"INSERT INTO policies_found {sql}", params)


@contextmanager
def _planning(cursor) -> Iterator[None]:
    """PostgreSQL's planner set for a batch of policies until it is decided: no JIT (it
    would compile every policy's expressions, for longer than they take to run), rows
    handed from parallel workers priced as the cheap copies they are (at the default
    price the planner keeps a batch's scans to one core, twice as slow), and memory to
    compare the rows found with the stored ones in one hash. Restored afterwards; a
    failure rolls them back with the transaction."""
    if connection.vendor != "postgresql":
        yield
        return
    settings = {"jit": "off", "parallel_tuple_cost": "0.001", "work_mem": "64MB"}
    cursor.execute("SELECT " + ", ".join("current_setting(%s)" for _ in settings), list(settings))
    saved = dict(zip(settings, cursor.fetchone(), strict=True))
    set_all = "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in settings)
    cursor.execute(set_all, [v for item in settings.items() for v in item])
    yield
    cursor.execute(set_all, [v for item in saved.items() for v in item])


def _write(
    cursor, policy_ids: list[int], *, fresh: bool = False, newly: bool = True
) -> dict[int, set[int]]:
    """Bring the stored matches of these policies to the rows in `policies_found`: on
    PostgreSQL one statement, which joins the rows found to the stored ones once and
    deletes, updates and inserts the difference; on SQLite one statement for each.
    `fresh`: nothing is stored, the rows are inserted. Returns (with `newly`) the
    enterprises eligible now that were not before, by policy."""
    table = Match._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    eligible = MatchResult.ELIGIBLE
    columns = f"{table} (policy_id, enterprise_id, result, benefit, rule_version, matched_at)"
    among = ", ".join(["%s"] * len(policy_ids))
    became: dict[int, set[int]] = defaultdict(set)
    if connection.vendor == "postgresql":
        if fresh:
            cursor.execute(
                f"INSERT INTO {columns} SELECT policy_id, enterprise_id, result, benefit, "
                "rule_version, %s FROM policies_found",
                [now],
            )
            if newly:
                cursor.execute(
                    "SELECT policy_id, array_agg(enterprise_id) FROM policies_found "
                    "WHERE result = %s GROUP BY policy_id",
                    [eligible],
                )
        else:
            # one pass over the policies' stored rows: `diff` holds the rows to delete
            # (nothing found), to update (found otherwise) and to insert (none stored)
            cursor.execute(
                "WITH diff AS MATERIALIZED (SELECT m.id, m.result AS was, f.policy_id, "
                "f.enterprise_id, f.result, f.benefit, f.rule_version FROM (SELECT id, "
                f"policy_id, enterprise_id, result, benefit, rule_version FROM {table} "
                f"WHERE policy_id IN ({among})) m FULL JOIN policies_found f "
                "ON f.policy_id = m.policy_id AND f.enterprise_id = m.enterprise_id "
                "WHERE m.id IS NULL OR f.enterprise_id IS NULL OR "
                "(m.result, m.benefit, m.rule_version) IS DISTINCT FROM "
                "(f.result, f.benefit, f.rule_version)), "
                f"gone AS (DELETE FROM {table} m USING diff d "
                "WHERE m.id = d.id AND d.enterprise_id IS NULL), "
                f"changed AS (UPDATE {table} m SET result = d.result, benefit = d.benefit, "
                "rule_version = d.rule_version, matched_at = %s FROM diff d "
                "WHERE m.id = d.id AND d.enterprise_id IS NOT NULL), "
                f"added AS (INSERT INTO {columns} SELECT d.policy_id, d.enterprise_id, "
                "d.result, d.benefit, d.rule_version, %s FROM diff d WHERE d.id IS NULL) "
                "SELECT policy_id, array_agg(enterprise_id) FROM diff "
                "WHERE %s AND result = %s AND was IS DISTINCT FROM %s GROUP BY policy_id",
                [*policy_ids, now, now, newly, eligible, eligible],
            )
        if newly:
            for policy_id, ids in cursor.fetchall():
                became[policy_id].update(ids)
        return became
    if newly:
        cursor.execute(
            "SELECT policy_id, enterprise_id FROM policies_found f WHERE result = %s "
            f"AND NOT EXISTS (SELECT 1 FROM {table} m WHERE m.policy_id = f.policy_id "
            "AND m.enterprise_id = f.enterprise_id AND m.result = %s)",
            [eligible, eligible],
        )
        for policy_id, enterprise_id in cursor.fetchall():
            became[policy_id].add(enterprise_id)
    if not fresh:
        cursor.execute(
            f"DELETE FROM {table} WHERE policy_id IN ({among}) AND NOT EXISTS "
            "(SELECT 1 FROM policies_found f WHERE f.policy_id = "
            f"{table}.policy_id AND f.enterprise_id = {table}.enterprise_id)",
            policy_ids,
        )
        cursor.execute(
            f"UPDATE {table} SET result = f.result, benefit = f.benefit, "
            "rule_version = f.rule_version, matched_at = %s FROM policies_found f "
            f"WHERE {table}.policy_id IN ({among}) AND {table}.policy_id = f.policy_id "
            f"AND {table}.enterprise_id = f.enterprise_id "
            f"AND ({table}.result IS NOT f.result OR {table}.benefit IS NOT f.benefit "
            f"OR {table}.rule_version IS NOT f.rule_version)",
            [now, *policy_ids],
        )
    cursor.execute(
        f"INSERT INTO {columns} SELECT f.policy_id, f.enterprise_id, f.result, f.benefit, "
        f"f.rule_version, %s FROM policies_found f WHERE NOT EXISTS (SELECT 1 FROM {table} m "
        "WHERE m.policy_id = f.policy_id AND m.enterprise_id = f.enterprise_id)",
        [now],
    )
    return became


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
        facts_ensure(on)
        match_policies(policies, on=on, tell=tell, outcome=outcome)
        Policy.objects.filter(pk__in=[p.pk for p in policies]).update(matched_on=on)
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
        match_policies(policies, on=on, tell=tell, outcome=outcome, fresh=fresh, progress=progress)
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
