"""The monthly totals indicators read (`FigureTotal`): the enterprises' monthly figures added
up per month for each district and park, and for each chain (with its sub-chains) in each
district and park, above designated size or not. Recomputed from the enterprises' figures —
all of them (`rollup_rebuild`, after an import and nightly) or the groups some enterprises
were and are in (`rollup_update`, after an enterprise's file changed) — in one INSERT …
SELECT per kind of group, so the totals are always the sum of their parts and reading a
city's year takes a few hundred rows, not millions."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from gongxin.chains.choices import LinkStatus
from gongxin.chains.models import Chain, ChainNode, EnterpriseNode
from gongxin.enterprises.models import Enterprise, MonthlyFigure
from gongxin.indicators.models import FigureTotal, RollupMember

#: The figures added up, as named on both `MonthlyFigure` and `FigureTotal`.
FIGURES = ("output_value", "revenue", "profit", "tax", "electricity", "employees")

#: Past this many enterprises an update recomputes everything: cheaper than many groups.
UPDATE_LIMIT = 500


def _insert(group_columns: str, select_columns: str, joins: str, where: str, group_by: str):
    sums = ", ".join(f"SUM(f.{name})" for name in FIGURES)
    total = FigureTotal._meta.db_table
    return (
        f"INSERT INTO {total} (period, {group_columns}, above_scale, enterprises, "
        f"{', '.join(FIGURES)}) "
        f"SELECT f.period, {select_columns}, e.above_scale, COUNT(*), {sums} "
        f"FROM {MonthlyFigure._meta.db_table} f "
        f"JOIN {Enterprise._meta.db_table} e ON e.id = f.enterprise_id {joins} "
        f"WHERE {where} GROUP BY f.period, {group_by}, e.above_scale"
    )


def _places_sql(where: str) -> str:
    return _insert(
        "district_id, park_id, chain_id",
        "e.district_id, e.park_id, NULL",
        "",
        where,
        "e.district_id, e.park_id",
    )


def _chains_sql(where: str) -> str:
    """A chain's enterprises are those on its nodes and on its sub-chains' (what its lists
    cover, `chains.selectors.chain_family`); one on two nodes counts once. Its parameters:
    the confirmed status twice, then the condition's."""
    nodes = (
        f"FROM {EnterpriseNode._meta.db_table} l "
        f"JOIN {ChainNode._meta.db_table} n ON n.id = l.node_id"
    )
    parents = f"JOIN {Chain._meta.db_table} ch ON ch.id = n.chain_id"
    links = (
        f"SELECT l.enterprise_id, n.chain_id {nodes} WHERE l.status = %s UNION "
        f"SELECT l.enterprise_id, ch.parent_id {nodes} {parents} "
        "WHERE l.status = %s AND ch.parent_id IS NOT NULL"
    )
    return _insert(
        "district_id, park_id, chain_id",
        "e.district_id, e.park_id, c.chain_id",
        f"JOIN ({links}) c ON c.enterprise_id = f.enterprise_id",
        where,
        "c.chain_id, e.district_id, e.park_id",
    )


def _chains_of(ids: Iterable[int] | None) -> dict[int, list[int]]:
    links = EnterpriseNode.objects.filter(status=LinkStatus.CONFIRMED)
    if ids is not None:
        links = links.filter(enterprise_id__in=ids)
    found: dict[int, set[int]] = {}
    for enterprise_id, chain_id, parent_id in links.values_list(
        "enterprise_id", "node__chain_id", "node__chain__parent_id"
    ):
        found.setdefault(enterprise_id, set()).update(c for c in (chain_id, parent_id) if c)
    return {pk: sorted(chains) for pk, chains in found.items()}


def _members(ids: Iterable[int]) -> list[RollupMember]:
    chains = _chains_of(ids)
    enterprises = Enterprise.objects.filter(pk__in=ids)
    return [
        RollupMember(
            enterprise_id=pk,
            district_pk=district,
            park_pk=park,
            above_scale=above,
            chain_ids=chains.get(pk, []),
        )
        for pk, district, park, above in enterprises.values_list(
            "pk", "district_id", "park_id", "above_scale"
        ).iterator(chunk_size=5000)
    ]


@transaction.atomic
def rollup_rebuild() -> int:
    """Recompute every monthly total from the enterprises' figures; returns how many
    totals there are."""
    FigureTotal.objects.all().delete()
    RollupMember.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(_places_sql("1 = 1"))
        cursor.execute(_chains_sql("1 = 1"), [LinkStatus.CONFIRMED] * 2)
        # Every enterprise's place in one statement; the few on chains get their chains after.
        cursor.execute(
            f"INSERT INTO {RollupMember._meta.db_table} "
            "(enterprise_id, district_pk, park_pk, above_scale, chain_ids) "
            f"SELECT id, district_id, park_id, above_scale, '[]' FROM {Enterprise._meta.db_table}"
        )
    chained = [
        RollupMember(enterprise_id=pk, chain_ids=chains) for pk, chains in _chains_of(None).items()
    ]
    RollupMember.objects.bulk_update(chained, ["chain_ids"], batch_size=1000)
    return FigureTotal.objects.count()


@transaction.atomic
def rollup_update(ids: Iterable[int]) -> None:
    """Recompute the totals of the groups these enterprises were in when last added up
    and the groups they are in now (all months: a figure may have changed in any)."""
    ids = sorted(set(ids))
    if not ids:
        return
    if len(ids) > UPDATE_LIMIT:
        rollup_rebuild()
        return
    before = list(RollupMember.objects.filter(enterprise_id__in=ids))
    now = _members(ids)
    places = {(m.district_pk, m.park_pk, m.above_scale) for m in before + now}
    chains = {c for m in before + now for c in m.chain_ids}
    _recompute_places(places)
    _recompute_chains(chains)
    RollupMember.objects.filter(enterprise_id__in=ids).delete()
    RollupMember.objects.bulk_create(now)


def _place_condition(places: set[tuple[int | None, int | None, bool]], alias: str):
    """SQL (with its parameters) matching the rows of these (district, park, size)."""
    parts, params = [], []
    for district, park, above in sorted(places, key=lambda p: (p[0] or 0, p[1] or 0, p[2])):
        clause = [
            f"{alias}district_id IS NULL" if district is None else f"{alias}district_id = %s",
            f"{alias}park_id IS NULL" if park is None else f"{alias}park_id = %s",
            f"{alias}above_scale = %s",
        ]
        params += [v for v in (district, park) if v is not None] + [above]
        parts.append("(" + " AND ".join(clause) + ")")
    return "(" + " OR ".join(parts) + ")", params


def _recompute_places(places) -> None:
    if not places:
        return
    where, params = _place_condition(places, "")
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {FigureTotal._meta.db_table} WHERE chain_id IS NULL AND {where}", params
        )
        where, params = _place_condition(places, "e.")
        cursor.execute(_places_sql(where), params)


def _recompute_chains(chains: set[int]) -> None:
    if not chains:
        return
    FigureTotal.objects.filter(chain_id__in=chains).delete()
    marks = ", ".join(["%s"] * len(chains))
    with connection.cursor() as cursor:
        cursor.execute(
            _chains_sql(f"c.chain_id IN ({marks})"),
            [*[LinkStatus.CONFIRMED] * 2, *sorted(chains)],
        )
