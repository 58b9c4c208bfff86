"""Writes of indicators' inputs: the year's targets and the province's figures. Both come
from outside gongxin (the bureau's work plan, the provincial statistics), so they are the
only indicator values ever written; every other figure is computed. Division staff and
administrators write them; each write is audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongxin.chains.models import Chain
from gongxin.core.audit import audit_record, diff, snapshot
from gongxin.core.choices import AuditAction
from gongxin.core.models import Region, User
from gongxin.core.selectors import user_edits_everything
from gongxin.indicators.choices import Aggregation
from gongxin.indicators.models import Indicator, ProvinceFigure, Target, scope_key

TARGET_FIELDS = ("level", "growth")
PROVINCE_FIELDS = ("to_date", "month_value")


def indicators_can_write(user: User | None) -> bool:
    """Who sets targets and enters the province's figures: division staff, administrators."""
    return user is None or user_edits_everything(user)


def _check(actor: User | None) -> None:
    if not indicators_can_write(actor):
        raise PermissionDenied(_("Only division staff set targets and province figures."))


@transaction.atomic
def target_save(
    *,
    actor: User | None,
    indicator: Indicator,
    year: int,
    region: Region | None = None,
    chain: Chain | None = None,
    level: Decimal | None = None,
    growth: Decimal | None = None,
) -> tuple[Target, bool, dict]:
    """Set the year's target of an indicator for the city, a region or a chain; returns
    (target, created, changes). A level is the year's total, so only a sum has one."""
    _check(actor)
    if level is None and growth is None:
        raise ValidationError(_("A target is a level, a growth or both."))
    if level is not None and indicator.aggregation != Aggregation.SUM:
        raise ValidationError(
            {
                "level": _("%(name)s is not a sum: give its target as a growth.")
                % {"name": indicator}
            }
        )
    target = Target.objects.filter(
        indicator=indicator, year=year, scope=scope_key(region, chain)
    ).first()
    created = target is None
    if created:
        target = Target(indicator=indicator, year=year, region=region, chain=chain)
    before = {} if created else snapshot(target, TARGET_FIELDS)
    target.level, target.growth = level, growth
    changes = diff(before, snapshot(target, TARGET_FIELDS))
    if not changes:
        return target, False, {}
    target.set_by = actor
    target.full_clean(exclude=["scope"])
    target.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=target,
        changes=changes,
    )
    return target, created, changes


@transaction.atomic
def province_figure_save(
    *,
    actor: User | None,
    indicator: Indicator,
    period: dt.date,
    to_date: Decimal,
    month_value: Decimal | None = None,
) -> tuple[ProvinceFigure, bool, dict]:
    """Record the province's figure of a month; returns (figure, created, changes)."""
    _check(actor)
    if indicator.aggregation == Aggregation.RATIO:
        raise ValidationError(
            {
                "indicator": _("%(name)s is a ratio: the province's share is not taken of it.")
                % {"name": indicator}
            }
        )
    period = period.replace(day=1)
    figure = ProvinceFigure.objects.filter(indicator=indicator, period=period).first()
    created = figure is None
    if created:
        figure = ProvinceFigure(indicator=indicator, period=period)
    before = {} if created else snapshot(figure, PROVINCE_FIELDS)
    figure.to_date, figure.month_value = to_date, month_value
    changes = diff(before, snapshot(figure, PROVINCE_FIELDS))
    if not changes:
        return figure, False, {}
    figure.full_clean()
    figure.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=figure,
        changes=changes,
    )
    return figure, created, changes
