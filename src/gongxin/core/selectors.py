"""Reads of core data shared by views, API and other apps."""

from django.conf import settings
from django.db.models import QuerySet

from gongxin.core.choices import DISTRICT_KINDS, PARK_KINDS, Role
from gongxin.core.models import Department, Region, User


def bureau_name() -> str:
    """The bureau that issues gongxin's documents (briefings, progress reports):
    GONGXIN_BUREAU, else the city's 工业和信息化局."""
    if settings.GONGXIN_BUREAU:
        return settings.GONGXIN_BUREAU
    city = Region.objects.filter(kind="city").first()
    return f"{city.name if city else ''}工业和信息化局"


def region_list() -> QuerySet[Region]:
    return Region.objects.select_related("parent").order_by("sort_order", "code")


def department_list() -> QuerySet[Department]:
    return Department.objects.order_by("kind", "sort_order", "code")


def district_list() -> QuerySet[Region]:
    return Region.objects.filter(kind__in=DISTRICT_KINDS).order_by("sort_order", "code")


def park_list() -> QuerySet[Region]:
    return Region.objects.filter(kind__in=PARK_KINDS).order_by("sort_order", "code")


def region_with_descendants(region: Region) -> list[int]:
    """Ids of the region and every region below it (zones hold parks). One query."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Region.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = [], [region.pk]
    while stack:
        pk = stack.pop()
        found.append(pk)
        stack.extend(children.get(pk, []))
    return found


def host_district(region: Region) -> Region | None:
    """The district or county a zone or park lies in (walking up through zones)."""
    node = region
    while node is not None and node.kind not in DISTRICT_KINDS:
        node = node.parent
    return node


def service_officer_list() -> QuerySet[User]:
    return User.objects.filter(role=Role.OFFICER, is_active=True).order_by("username")


def user_reads_everything(user: User) -> bool:
    """Leadership, division staff, chain offices, handling departments and administrators
    read the whole archive; district, park, officer and enterprise users read only their
    part of it."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in READS_EVERYTHING)
    )


READS_EVERYTHING = (Role.ADMIN, Role.LEADER, Role.STAFF, Role.CHAIN_OFFICE, Role.DEPARTMENT)


def user_edits_everything(user: User) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in (Role.ADMIN, Role.STAFF))
    )
