"""Parks and their standard factory buildings (满园扩园, 订单式标准厂房): reads for the park
pages and the writes that keep land and buildings. A park reads as itself with the parks
inside it (a development zone holds parks), for its land, buildings, enterprises and
projects alike.

Output per mu (亩均产值, 亩均税收) is last full year's output value and taxes of the
enterprises in the park over the land they occupy at the year's end (the latest month of
that year reported), in yuan per mu."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.core.audit import audit_record, diff, jsonable, snapshot
from gongxin.core.choices import PARK_KINDS, AuditAction, Role
from gongxin.core.models import Region, User
from gongxin.core.selectors import region_with_descendants, user_edits_everything
from gongxin.enterprises.models import AnnualFigure, Enterprise
from gongxin.projects.choices import BuildingStatus, Occupancy
from gongxin.projects.models import Building, ParkLand, Project

LAND_FIELDS = ("planned_mu", "developed_mu", "occupied_mu")
BUILDING_FIELDS = (
    "name",
    "area",
    "floors",
    "load",
    "status",
    "occupancy",
    "ordered_by",
    "occupant",
    "project",
    "completed_on",
    "occupied_since",
)


# Who may -------------------------------------------------------------------------------------


def parks_can_read(user: User) -> bool:
    """Officials read the parks (figures of many enterprises): not enterprise users."""
    return bool(user and user.is_authenticated and user.is_active and user.role != Role.ENTERPRISE)


def park_can_edit(user: User, park: Region) -> bool:
    """Division staff for every park; the staff of a park, a zone or a district for the
    parks within it."""
    if not parks_can_read(user):
        return False
    if user_edits_everything(user):
        return True
    if user.role != Role.DISTRICT or not user.region_id:
        return False
    if user.region.kind in PARK_KINDS:
        return park.pk in region_with_descendants(user.region)
    return _host_district_id(park) == user.region_id


def _host_district_id(park: Region) -> int | None:
    node = park
    while node is not None and node.kind in PARK_KINDS:
        node = node.parent
    return node.pk if node is not None else None


def _check(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not keep this park's land and buildings."))


# Reads ---------------------------------------------------------------------------------------


def parks(user: User) -> QuerySet[Region]:
    """The parks and zones, each with its latest land figures and buildings counted (a
    fixed number of queries)."""
    if not parks_can_read(user):
        return Region.objects.none()
    return (
        Region.objects.filter(kind__in=PARK_KINDS)
        .select_related("parent")
        .order_by("sort_order", "code")
    )


def park_rows(user: User, year: int | None = None) -> list[dict[str, Any]]:
    """The parks list: per park (with the parks inside it) land, buildings, enterprises,
    projects and output per mu. Six queries whatever the number of parks."""
    year = year or timezone.localdate().year - 1
    regions = list(parks(user))
    if not regions:
        return []
    within = _within(regions)
    all_ids = {pk for ids in within.values() for pk in ids}
    land = _land_at(all_ids, dt.date(year, 12, 1))
    buildings = defaultdict(lambda: defaultdict(Decimal))
    for park_id, status, occupancy, n, area in (
        Building.objects.filter(park_id__in=all_ids)
        .values_list("park_id", "status", "occupancy")
        .annotate(n=Count("pk"), area=Sum("area"))
        .order_by()
    ):
        b = buildings[park_id]
        b["count"] += n
        b["area"] += area or 0
        if status == BuildingStatus.BUILT:
            b["built_area"] += area or 0
            if occupancy != Occupancy.VACANT:
                b["taken_area"] += area or 0
    enterprises = dict(
        Enterprise.objects.filter(park_id__in=all_ids, status="operating")
        .values_list("park_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    projects = dict(
        Project.objects.filter(park_id__in=all_ids)
        .values_list("park_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    figures = {
        park_id: (output, tax)
        for park_id, output, tax in AnnualFigure.objects.filter(
            year=year, enterprise__park_id__in=all_ids
        )
        .values_list("enterprise__park_id")
        .annotate(output=Sum("output_value"), tax=Sum("tax"))
        .order_by()
    }
    rows = []
    for region in regions:
        ids = within[region.pk]
        row: dict[str, Any] = {"park": region, "year": year}
        # a zone that reports its own land reports all of it; else its parks add up
        counted = [region.pk] if region.pk in land else [i for i in ids if i in land]
        for key in LAND_FIELDS:
            values = [getattr(land[i], key) for i in counted]
            row[key] = sum(values, Decimal(0)) if values else None
        row["available_mu"] = (
            row["developed_mu"] - row["occupied_mu"]
            if row["developed_mu"] is not None and row["occupied_mu"] is not None
            else None
        )
        for key in ("count", "area", "built_area", "taken_area"):
            row[f"buildings_{key}"] = sum((buildings[i][key] for i in ids), Decimal(0))
        row["buildings_taken_share"] = _share(
            row["buildings_taken_area"], row["buildings_built_area"]
        )
        row["enterprises"] = sum(enterprises.get(i, 0) for i in ids)
        row["projects"] = sum(projects.get(i, 0) for i in ids)
        output = sum((figures[i][0] or 0 for i in ids if i in figures), Decimal(0))
        tax = sum((figures[i][1] or 0 for i in ids if i in figures), Decimal(0))
        row["output"], row["tax"] = output, tax
        row["output_per_mu"] = _per(output, row["occupied_mu"])
        row["tax_per_mu"] = _per(tax, row["occupied_mu"])
        rows.append(row)
    return rows


def _within(regions: list[Region]) -> dict[int, list[int]]:
    """Each park with the parks inside it (from the regions given: one pass)."""
    children = defaultdict(list)
    for r in regions:
        children[r.parent_id].append(r.pk)
    within = {}
    for r in regions:
        found, stack = [], [r.pk]
        while stack:
            pk = stack.pop()
            found.append(pk)
            stack.extend(children.get(pk, []))
        within[r.pk] = found
    return within


def _land_at(park_ids, month: dt.date) -> dict[int, ParkLand]:
    """Each park's land at `month` (its latest row up to then)."""
    found: dict[int, ParkLand] = {}
    rows = ParkLand.objects.filter(park_id__in=list(park_ids), month__lte=month).order_by(
        "park_id", "month"
    )
    for row in rows:
        found[row.park_id] = row
    return found


def _share(part, whole):
    if not whole or part is None:
        return None
    return Decimal(part) * 100 / Decimal(whole)


def _per(amount, mu):
    if not mu or amount is None:
        return None
    return (Decimal(amount) / Decimal(mu)).quantize(Decimal("0.01"))


def park_detail(user: User, park: Region, year: int | None = None) -> dict[str, Any]:
    """One park's page: its row of the list, land month by month, buildings, projects and
    its largest enterprises by last year's output."""
    if not parks_can_read(user) or park.kind not in PARK_KINDS:
        raise Region.DoesNotExist
    year = year or timezone.localdate().year - 1
    row = next(r for r in park_rows(user, year) if r["park"].pk == park.pk)
    ids = region_with_descendants(park)
    own = ParkLand.objects.filter(park=park)
    reported = (own if own.exists() else ParkLand.objects.filter(park_id__in=ids)).order_by(
        "month", "park_id"
    )
    # month by month, each park as it last reported (a park that skips a month still
    # has its land), as the year-end figures count it
    latest: dict[int, ParkLand] = {}
    series: dict[dt.date, dict[str, Decimal]] = {}
    for land in reported:
        latest[land.park_id] = land
        series[land.month] = {
            key: sum((getattr(r, key) for r in latest.values()), Decimal(0)) for key in LAND_FIELDS
        }
    buildings = list(
        Building.objects.filter(park_id__in=ids)
        .select_related("park", "ordered_by", "occupant", "project")
        .order_by("park__sort_order", "name")
    )
    from gongxin.projects.selectors import project_scope

    projects = list(
        project_scope(user)
        .filter(park_id__in=ids)
        .select_related("enterprise")
        .order_by("-planned_investment", "pk")
    )
    enterprises = list(
        Enterprise.objects.filter(park_id__in=ids, status="operating")
        .annotate(
            output=Sum("annual_figures__output_value", filter=Q(annual_figures__year=year)),
            tax=Sum("annual_figures__tax", filter=Q(annual_figures__year=year)),
        )
        .order_by("-output", "pk")[:20]
    )
    return {
        **row,
        "land": [{"month": m, **v} for m, v in sorted(series.items())],
        "buildings": buildings,
        "project_list": projects,
        "top_enterprises": enterprises,
    }


# Writes --------------------------------------------------------------------------------------


@transaction.atomic
def land_save(
    *, actor: User | None, park: Region, month: dt.date, data: Mapping[str, Decimal]
) -> ParkLand:
    """The park's land at the end of `month` (a month that has begun)."""
    if actor is not None:
        _check(park_can_edit(actor, park))
    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        raise ValidationError({"month": [_("Land is recorded for a month that has begun.")]})
    record = ParkLand.objects.filter(park=park, month=month).first()
    creating = record is None
    record = record or ParkLand(park=park, month=month)
    before = {} if creating else snapshot(record, LAND_FIELDS)
    for key in LAND_FIELDS:
        if key in data:
            setattr(record, key, data[key])
    changes = diff(before, snapshot(record, LAND_FIELDS))
    if not changes:
        return record
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        obj=record,
        changes=changes,
    )
    return record


@transaction.atomic
def building_save(
    *,
    actor: User | None,
    park: Region,
    building: Building | None,
    data: Mapping[str, Any],
) -> Building:
    """Register or change a factory building; an enterprise moving in or out is dated."""
    if actor is not None:
        _check(park_can_edit(actor, park))
    creating = building is None
    record = building or Building(park=park)
    if record.park_id != park.pk:
        raise ValidationError(_("This building is in another park."))
    before = {} if creating else snapshot(record, BUILDING_FIELDS)
    occupant_before = None if creating else record.occupant_id
    for key in BUILDING_FIELDS:
        if key in data:
            setattr(record, key, data[key])
    if record.occupancy == Occupancy.VACANT:
        record.occupant = None
        record.occupied_since = None
    elif record.occupancy == Occupancy.OCCUPIED:
        # a new occupant moves in today unless its own day is given
        new_occupant = record.occupant_id != occupant_before
        dated = jsonable(record.occupied_since) != before.get("occupied_since")
        if record.occupied_since is None or (new_occupant and not dated and not creating):
            record.occupied_since = timezone.localdate()
    if record.status == BuildingStatus.BUILT and record.completed_on is None:
        record.completed_on = timezone.localdate()
    changes = diff(before, snapshot(record, BUILDING_FIELDS))
    if not changes:
        return record
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        obj=record,
        changes=changes,
    )
    return record
