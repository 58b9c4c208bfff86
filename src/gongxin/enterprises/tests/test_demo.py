"""The demo enterprise generator: deterministic, valid and shaped like a real archive."""

import datetime as dt
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Sum
from stdnum.cn import uscc as stdnum_uscc

from gongxin.core.choices import Role
from gongxin.core.models import User
from gongxin.core.tests.factories import UserFactory
from gongxin.core.tests.module_data import built_for_module
from gongxin.enterprises import sizing
from gongxin.enterprises.demo import (
    DEMO_LAST_MONTH,
    FIRST_STORED_MONTH,
    enterprise_accounts_pick,
    enterprises_build,
)
from gongxin.enterprises.models import (
    AnnualFigure,
    Contact,
    Enterprise,
    MonthlyFigure,
    Qualification,
)

COUNT = 200
TIME_LIMITED = ("high_tech", "innovative_sme", "specialized_sme", "little_giant", "single_champion")


def _officers() -> list[User]:
    return [UserFactory(username=f"officer-{n}", role=Role.OFFICER) for n in range(1, 6)]


@pytest.fixture(scope="module")
def _module_built(django_db_setup, django_db_blocker):
    """One build of COUNT enterprises per module, rolled back at its end."""
    from gongxin.core.tests.factories import city_load

    def build():
        city = city_load()
        return enterprises_build(seed=7, count=COUNT, regions=city.regions, officers=_officers())

    yield from built_for_module(django_db_blocker, build)


@pytest.fixture
def built(_module_built, db) -> list[Enterprise]:
    return _module_built


def _snapshot() -> dict[str, list]:
    """Everything the generator writes, by natural keys (no pks, no timestamps)."""
    return {
        "enterprises": list(
            Enterprise.objects.order_by("uscc").values_list(
                "uscc",
                "name",
                "legal_representative",
                "established_on",
                "registered_capital",
                "address",
                "district__code",
                "park__code",
                "industry__code",
                "size_class",
                "above_scale",
                "status",
                "main_products",
                "business_scope",
                "service_officer__username",
            )
        ),
        "monthly": list(
            MonthlyFigure.objects.order_by("enterprise__uscc", "period").values_list(
                "enterprise__uscc",
                "period",
                "output_value",
                "revenue",
                "profit",
                "tax",
                "employees",
                "electricity",
            )
        ),
        "annual": list(
            AnnualFigure.objects.order_by("enterprise__uscc", "year").values_list(
                "enterprise__uscc",
                "year",
                "output_value",
                "revenue",
                "main_business_revenue",
                "profit",
                "tax",
                "rd_expense",
                "total_assets",
                "employees",
            )
        ),
        "qualifications": list(
            Qualification.objects.order_by("enterprise__uscc", "kind", "issued_on").values_list(
                "enterprise__uscc", "kind", "level", "certificate_no", "issued_on", "expires_on"
            )
        ),
        "contacts": list(
            Contact.objects.order_by("enterprise__uscc", "id").values_list(
                "enterprise__uscc", "name", "title", "phone", "is_primary"
            )
        ),
    }


def test_same_seed_builds_the_same_content(city):
    officers = _officers()
    enterprises_build(seed=11, count=60, regions=city.regions, officers=officers)
    first = _snapshot()
    Enterprise.objects.all().delete()
    assert not MonthlyFigure.objects.exists()
    enterprises_build(seed=11, count=60, regions=city.regions, officers=officers)
    second = _snapshot()
    assert len(first["enterprises"]) == 60
    assert first == second


def test_another_seed_builds_other_enterprises(city):
    officers = _officers()
    enterprises_build(seed=11, count=60, regions=city.regions, officers=officers)
    first = _snapshot()
    Enterprise.objects.all().delete()
    enterprises_build(seed=12, count=60, regions=city.regions, officers=officers)
    second = _snapshot()
    assert {e[0] for e in first["enterprises"]}.isdisjoint({e[0] for e in second["enterprises"]})
    assert [e[1] for e in first["enterprises"]] != [e[1] for e in second["enterprises"]]


def test_identity_fields_are_valid_and_unique(built):
    assert len(built) == COUNT and all(e.pk for e in built)
    usccs = [e.uscc for e in built]
    names = [e.name for e in built]
    assert len(set(usccs)) == COUNT and len(set(names)) == COUNT
    for e in built:
        assert stdnum_uscc.is_valid(e.uscc), e.uscc
        assert e.uscc.startswith("91" + e.district.code)
        assert e.name.endswith("（演示）")
        assert e.name.endswith(("有限公司（演示）", "股份有限公司（演示）"))
        assert 40 <= len(e.business_scope) <= 200
        assert e.main_products and e.legal_representative and e.address.startswith("江西省南昌市")
        assert dt.date(1995, 1, 1) <= e.established_on <= dt.date(2024, 12, 31)
        assert e.registered_capital > 0 and e.registered_capital == e.registered_capital.quantize(
            Decimal("0.01")
        )
        assert len(e.industry.code) in (2, 4) and e.industry.code[:2] >= "13"


def test_locations_follow_the_region_tree(built):
    without_park = [e for e in built if e.park_id is None]
    assert 0.05 < len(without_park) / COUNT < 0.3
    for e in built:
        assert e.district.kind in ("district", "county")
        if e.park is not None:
            region = e.park
            while region.kind not in ("district", "county"):
                region = region.parent
            assert region == e.district


def test_size_class_and_above_scale_follow_the_last_annual_figures(built):
    last = {}
    for figure in AnnualFigure.objects.filter(enterprise__in=built).order_by("year"):
        last[figure.enterprise_id] = figure
    for e in built:
        figure = last[e.pk]
        assert figure.year == 2025
        expected = sizing.size_class(employees=figure.employees, revenue=figure.revenue)
        assert e.size_class == expected
        assert e.above_scale == sizing.is_above_scale(figure.main_business_revenue)
    sizes = Counter(e.size_class for e in built)
    assert sizes["large"] >= 3 and sizes["medium"] >= 15 and sizes["small"] > sizes["micro"]
    assert 0.35 <= sum(e.above_scale for e in built) / COUNT <= 0.5


def test_status_mostly_operating(built):
    statuses = Counter(e.status for e in built)
    assert statuses["operating"] >= 0.95 * COUNT
    assert statuses["suspended"] >= 1 and statuses["moved_out"] >= 1


def test_monthly_figures_cover_the_demo_window(built):
    periods = MonthlyFigure.objects.filter(enterprise__in=built).values_list("period", flat=True)
    assert min(periods) == FIRST_STORED_MONTH and max(periods) == DEMO_LAST_MONTH
    per_enterprise = Counter(
        MonthlyFigure.objects.filter(enterprise__in=built).values_list("enterprise_id", flat=True)
    )
    assert max(per_enterprise.values()) == 36
    for e in built:
        if e.size_class == "large" and e.status == "operating":
            assert per_enterprise[e.pk] == 36
    assert any(0 < n < 36 for n in per_enterprise.values())  # some months are missing
    assert MonthlyFigure.objects.filter(profit__lt=0).exists()


def test_spring_festival_dip_in_aggregate(built):
    def output(year, month):
        rows = MonthlyFigure.objects.filter(period=dt.date(year, month, 1))
        return rows.aggregate(total=Sum("output_value"))["total"]

    assert output(2024, 2) < output(2024, 1) and output(2024, 2) < output(2024, 3)
    assert output(2026, 2) < output(2026, 1) and output(2026, 2) < output(2026, 3)
    assert output(2025, 12) > output(2025, 11)  # the year-end push


def test_annual_figures_are_the_sum_of_the_months(built):
    full = unreported = 0
    for e in built:
        months = list(e.monthly_figures.filter(period__year=2025))
        annual = e.annual_figures.get(year=2025)
        assert Decimal("0.95") * annual.revenue <= annual.main_business_revenue
        assert annual.main_business_revenue <= annual.revenue
        if annual.rd_expense is None:  # not reported: small, no qualification
            unreported += 1
            assert e.size_class in ("small", "micro") and not e.qualifications.exists()
        else:
            assert Decimal("0.0029") <= annual.rd_expense / annual.revenue <= Decimal("0.0801")
        if len(months) == 12:
            full += 1
            assert sum(m.revenue for m in months) == annual.revenue
            assert sum(m.output_value for m in months) == annual.output_value
            assert sum(m.tax for m in months) == annual.tax
    assert full > COUNT / 2
    assert 0 < unreported < COUNT / 5


def test_early_warning_cases_drop_sharply(built):
    def output(e, year):
        return e.monthly_figures.get(period=dt.date(year, 10, 1)).output_value

    dropping = [
        e
        for e in built
        if e.status == "operating"
        and e.monthly_figures.filter(
            period__in=[dt.date(2025, 10, 1), dt.date(2026, 10, 1)]
        ).count()
        == 2
        and output(e, 2026) < Decimal("0.8") * output(e, 2025)
    ]
    assert len(dropping) >= 2


def test_qualifications_have_validity(built):
    quals = list(Qualification.objects.filter(enterprise__in=built))
    kinds = Counter(q.kind for q in quals)
    assert kinds["high_tech"] and kinds["innovative_sme"] and kinds["specialized_sme"]
    assert kinds["chain_master"] >= 1
    for q in quals:
        assert q.certificate_no
        if q.kind in TIME_LIMITED:
            assert q.expires_on == q.issued_on.replace(year=q.issued_on.year + 3)
        if q.kind == "chain_master":
            assert q.expires_on is None and q.level == "municipal"
    expiring = [q for q in quals if q.expires_on and dt.date(2026, 12, 1) <= q.expires_on]
    expiring = [q for q in expiring if q.expires_on <= dt.date(2027, 2, 25)]
    assert len(expiring) >= 3
    assert any(q.expires_on and q.expires_on < dt.date(2026, 11, 1) for q in quals)


def test_contacts_and_service_officers(built):
    contacts = Counter(Contact.objects.filter(enterprise__in=built).values_list("enterprise_id"))
    assert all(1 <= contacts[(e.pk,)] <= 3 for e in built)
    assert Contact.objects.filter(enterprise__in=built, is_primary=True).count() == COUNT
    phones = Contact.objects.filter(enterprise__in=built).values_list("phone", flat=True)
    assert all(re.fullmatch(r"1[358]\d{9}", phone) for phone in phones)
    assert all(e.service_officer_id for e in built if e.above_scale)
    served = Counter(e.service_officer_id for e in built if e.service_officer_id)
    assert len(served) == 5 and max(served.values()) - min(served.values()) <= 1
    assert 0.1 < sum(not e.service_officer_id for e in built) / COUNT < 0.6


def test_accounts_pick_mixes_sizes_districts_and_chains(built):
    picked = enterprise_accounts_pick(built, n=24)
    assert picked == enterprise_accounts_pick(list(reversed(built)), n=24)
    assert len({e.pk for e in picked}) == 24
    assert all(e.status == "operating" for e in picked)
    assert picked[0].size_class == "large" and picked[0].above_scale
    assert {e.size_class for e in picked} == {"large", "medium", "small", "micro"}
    assert len({e.district_id for e in picked}) >= 4
    assert len({e.industry.code[:2] for e in picked}) >= 8
