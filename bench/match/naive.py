"""The naive baseline of the matching benchmark: every enterprise read from its file in
Python (`selectors.facts_of`) and every policy decided for it in memory
(`rules.evaluate`, `Benefit.compute`), the outcomes written per enterprise as gongxin
stores them (a `Match` row for each eligible or unknown outcome, none for not eligible).

Written the obvious way, not slow on purpose: the policies are read and their rules parsed
once, enterprises are read 500 at a time with their district, park and industry joined and
their annual figures prefetched, the whole loop runs in one transaction (on SQLite a commit
per enterprise would be mostly fsync). What stays per enterprise is what `facts_of` reads
(its projects twice, its valid qualifications, its chains) and the write (its old rows
deleted, the new ones in one `bulk_create`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal

CHUNK = 500
CENT = Decimal("0.01")


def prepared_policies(on: dt.date) -> list[tuple]:
    """(policy, parsed rule, Benefit) of every policy in force on `on`."""
    from gongxin.policies import rules
    from gongxin.policies.benefits import Benefit
    from gongxin.policies.models import Policy

    return [
        (p, rules.parse(p.rule_text), Benefit.of(p))
        for p in Policy.objects.order_by("pk")
        if p.in_force(on)
    ]


def _enterprises(ids: list[int]) -> Iterator:
    from gongxin.enterprises.models import Enterprise

    for start in range(0, len(ids), CHUNK):
        yield from (
            Enterprise.objects.filter(pk__in=ids[start : start + CHUNK])
            .select_related("district", "park", "industry")
            .prefetch_related("annual_figures")
            .order_by("pk")
        )


def decide_all(enterprise, policies: list[tuple], on: dt.date) -> list[tuple]:
    """(policy id, result, amount) of every policy the enterprise is eligible for or might
    be (unknown), read and decided in Python."""
    from gongxin.policies import rules, selectors

    if enterprise.status != "operating":
        return []
    facts = selectors.facts_of(enterprise, on)
    out = []
    for policy, rule, benefit in policies:
        ok = rules.evaluate(rule, facts)
        if ok is None:
            out.append((policy.pk, "unknown", None))
        elif ok:
            out.append((policy.pk, "eligible", benefit.compute(facts)))
    return out


def naive_match(ids: Iterable[int], on: dt.date) -> dict[tuple[int, int], tuple]:
    """Decide every policy in force for these enterprises and store the outcomes; returns
    {(policy id, enterprise id): (result, amount)}."""
    from django.db import transaction
    from django.utils import timezone

    from gongxin.policies.models import Match

    policies = prepared_policies(on)
    version = {p.pk: p.rule_version for p, _r, _b in policies}
    now = timezone.now()
    decided: dict[tuple[int, int], tuple] = {}
    with transaction.atomic():
        for enterprise in _enterprises(sorted(ids)):
            rows = decide_all(enterprise, policies, on)
            Match.objects.filter(enterprise=enterprise).delete()
            Match.objects.bulk_create(
                Match(
                    policy_id=pid,
                    enterprise_id=enterprise.pk,
                    result=result,
                    benefit=amount,
                    rule_version=version[pid],
                    matched_at=now,
                )
                for pid, result, amount in rows
            )
            for pid, result, amount in rows:
                decided[(pid, enterprise.pk)] = (result, amount)
    return decided


def naive_decide(ids: Iterable[int], on: dt.date) -> dict[tuple[int, int], tuple]:
    """The same decisions as `naive_match`, nothing written (to check stored matches)."""
    policies = prepared_policies(on)
    return {
        (pid, enterprise.pk): (result, amount)
        for enterprise in _enterprises(sorted(ids))
        for pid, result, amount in decide_all(enterprise, policies, on)
    }


def stored(ids: Iterable[int]) -> dict[tuple[int, int], tuple]:
    """The stored matches of these enterprises, as `naive_match` returns them."""
    from gongxin.policies.models import Match

    ids = sorted(ids)
    out = {}
    for start in range(0, len(ids), CHUNK):
        for pid, eid, result, amount in Match.objects.filter(
            enterprise_id__in=ids[start : start + CHUNK]
        ).values_list("policy_id", "enterprise_id", "result", "benefit"):
            out[(pid, eid)] = (result, amount)
    return out


def _amount(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(CENT)


def compare(expected: dict, actual: dict, *, names: tuple[str, str], limit: int = 5) -> str:
    """'' when both hold the same outcomes and amounts (to the cent), else how many differ
    and the first few (`names`: what `expected` and `actual` are, for the message)."""
    from gongxin.policies.models import Policy

    problems = []
    for key in sorted(expected.keys() | actual.keys()):
        a, b = expected.get(key), actual.get(key)
        a = a and (a[0], _amount(a[1]))
        b = b and (b[0], _amount(b[1]))
        if a != b:
            problems.append((key, a, b))
    if not problems:
        return ""
    rules_of = dict(Policy.objects.values_list("pk", "rule_text"))
    shown = "; ".join(
        f"policy {pid} enterprise {eid}: {names[0]} {a or 'not eligible'}, "
        f"{names[1]} {b or 'not eligible'} "
        f"(rule {rules_of.get(pid, '?')!r})"
        for (pid, eid), a, b in problems[:limit]
    )
    return f"{len(problems):,} of {len(expected.keys() | actual.keys()):,} outcomes differ: {shown}"
