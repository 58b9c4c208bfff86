"""Set-up shared by the policy tests: policies saved through `policy_save`, last year's
figures and the stored matches at a glance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gongxin.enterprises.models import AnnualFigure, Enterprise
from gongxin.policies import services
from gongxin.policies.choices import AmountMethod, BenefitKind, PolicyStatus
from gongxin.policies.models import Match, Policy

#: Far enough back that every policy of the tests is in force today.
IN_FORCE_FROM = dt.date(2020, 1, 1)


def last_year() -> int:
    """The year whose annual figures the facts of today are read from."""
    return timezone.localdate().year - 1


def policy_data(**values: Any) -> dict[str, Any]:
    """What an official fills in for a published policy in force, with no amount."""
    data = {
        "title": "测试政策",
        "issuer": "南昌市工业和信息化局",
        "effective_from": IN_FORCE_FROM,
        "status": PolicyStatus.PUBLISHED,
        "benefit_kind": BenefitKind.REWARD,
        "amount_method": AmountMethod.NONE,
        "rule_text": "above_scale = true",
    }
    data.update(values)
    return data


def policy_make(*, actor=None, chains=None, **values: Any) -> Policy:
    """A policy created through the service (so it is matched against the archive)."""
    return services.policy_save(actor=actor, policy=None, data=policy_data(**values), chains=chains)


def figures_save(enterprise: Enterprise, year: int | None = None, **values: Any) -> AnnualFigure:
    """Annual figures written directly (no rematch): amounts in yuan as Decimal."""
    values = {k: Decimal(v) if isinstance(v, str) else v for k, v in values.items()}
    figure, _created = AnnualFigure.objects.update_or_create(
        enterprise=enterprise, year=year or last_year(), defaults=values
    )
    return figure


def stored(**filters: Any) -> dict[tuple[int, int], tuple[str, Decimal | None, int]]:
    """The stored matches as {(policy, enterprise): (result, benefit, rule version)}."""
    return {
        (m.policy_id, m.enterprise_id): (m.result, m.benefit, m.rule_version)
        for m in Match.objects.filter(**filters)
    }
