"""A rule decided in the database for a whole archive in one query agrees with the rule
decided in memory for each enterprise, missing figures included (three values)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongxin.enterprises.models import AnnualFigure, Enterprise
from gongxin.enterprises.tests.factories import EnterpriseFactory, QualificationFactory
from gongxin.policies import rules, selectors, services
from gongxin.projects.models import Project

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 6, 1)
RULES = [
    'size_class in ("small", "medium") and above_scale = false '
    "and revenue between 1500万元 and 2000万元 and revenue_growth > 0%",
    "rd_ratio >= 3% or employees >= 300人",
    'not holds("specialized_sme") and tax > 50万元',
    'holds("little_giant") or revenue_growth >= 10%',
    "revenue != 1800万元 and not (rd_ratio < 1%)",
    'district starts_with "3601" and established <= 2020-01-01',
    "upgrade_investment >= 300万元 or project_investment > 1000万元",
]


@pytest.fixture
def archive(city):
    made = []
    figures = [
        # (size, above scale, revenue 2025, revenue 2024, R&D 2025, employees, tax)
        ("small", False, "18000000", "15000000", "700000", 120, "600000"),
        ("medium", False, "19000000", "21000000", None, 320, "400000"),
        ("small", False, None, "15000000", None, None, None),  # no 2025 figures
        ("", False, "16000000", None, "100000", 80, "520000"),  # size unknown, no 2024
        ("large", True, "420000000", "380000000", "13000000", 1500, "9000000"),
        ("micro", False, "0", "100", "0", 5, "0"),
    ]
    for i, (size, above, revenue, before, rd, employees, tax) in enumerate(figures):
        enterprise = EnterpriseFactory(
            size_class=size, above_scale=above, established_on=dt.date(2010 + 2 * i, 3, 1)
        )
        if revenue is not None or rd is not None:
            AnnualFigure.objects.create(
                enterprise=enterprise,
                year=2025,
                revenue=revenue and Decimal(revenue),
                rd_expense=rd and Decimal(rd),
                employees=employees,
                tax=tax and Decimal(tax),
            )
        if before is not None:
            AnnualFigure.objects.create(enterprise=enterprise, year=2024, revenue=Decimal(before))
        made.append(enterprise)
    QualificationFactory(
        enterprise=made[0],
        kind="specialized_sme",
        issued_on=dt.date(2025, 1, 1),
        expires_on=dt.date(2027, 12, 31),
    )
    QualificationFactory(
        enterprise=made[4],
        kind="little_giant",
        issued_on=dt.date(2024, 1, 1),
        expires_on=dt.date(2026, 5, 31),
    )  # expired the day before
    # projects: upgrading and other kinds, one without a completed investment
    for owner, kind, completed in [
        (0, "tech_upgrade", "3000000"),
        (0, "new", "5000000"),
        (1, "digital", None),
        (4, "smart_factory", "12000000"),
        (4, "tech_upgrade", "800000"),
        (4, "expansion", "0"),
    ]:
        Project.objects.create(
            name=f"项目{owner}{kind}",
            project_type=kind,
            enterprise=made[owner],
            district=made[owner].district,
            planned_investment=Decimal("20000000"),
            completed_investment=completed and Decimal(completed),
        )
    services.facts_refresh(on=ON)
    return made


@pytest.mark.parametrize("text", RULES)
def test_the_database_and_memory_agree(archive, text):
    rule = rules.parse(text)
    with CaptureQueriesContext(connection) as queries:
        in_db = dict(selectors.rule_outcomes(rule, ON).values_list("pk", "eligible"))
    assert len(queries) == 1
    in_memory = {
        e.pk: rules.evaluate(rule, selectors.facts_of(e, ON))
        for e in Enterprise.objects.select_related("district", "park", "industry")
    }
    assert {pk: None if v is None else bool(v) for pk, v in in_db.items()} == in_memory
    assert set(in_memory.values()) - {None} or text == RULES[-1]


def test_three_values_in_the_database(archive):
    rule = rules.parse("rd_ratio >= 3%")
    outcome = dict(selectors.rule_outcomes(rule, ON).values_list("pk", "eligible"))
    assert outcome[archive[0].pk] in (True, 1)  # 700,000 of 18,000,000: 3.89 %
    assert outcome[archive[1].pk] is None  # no R&D figure
    assert outcome[archive[2].pk] is None  # no 2025 figures
    assert outcome[archive[5].pk] is None  # no revenue to divide by


def test_investment_sums_the_completed_investment_of_the_projects(archive):
    facts = services.facts_in_memory([e.pk for e in archive], ON)
    invested = [
        (facts[e.pk]["upgrade_investment"], facts[e.pk]["project_investment"]) for e in archive
    ]
    assert invested == [
        (Decimal("3000000"), Decimal("8000000")),
        (0, 0),  # its one project has completed nothing yet
        (0, 0),
        (0, 0),
        (Decimal("12800000"), Decimal("12800000")),
        (0, 0),
    ]
    # refreshed for one enterprise, the others keep theirs
    Project.objects.filter(enterprise=archive[0], project_type="new").delete()
    services.facts_refresh(enterprise_ids=[archive[0].pk], on=ON)
    facts = services.facts_in_memory([archive[0].pk, archive[4].pk], ON)
    assert facts[archive[0].pk]["project_investment"] == Decimal("3000000")
    assert facts[archive[4].pk]["project_investment"] == Decimal("12800000")


# Random rules ------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_YUAN = {"万元": 10_000, "亿元": 100_000_000, "元": 1, "": 1}
_amount = st.tuples(st.integers(min_value=0, max_value=5000), st.sampled_from(list(_YUAN)))
_money = _amount.map(lambda a: f"{a[0]}{a[1]}")


def _between(a, b) -> str:
    """A range of revenue, the smaller end first (the other way round is refused)."""
    low, high = sorted([a, b], key=lambda x: x[0] * _YUAN[x[1]])
    return f"revenue between {low[0]}{low[1]} and {high[0]}{high[1]}"


_percent = st.builds(
    lambda n: f"{n}%", st.decimals(min_value=-50, max_value=50, places=2, allow_nan=False)
)
_criterion = st.one_of(
    st.builds(
        lambda f, op, v: f"{f} {op} {v}",
        st.sampled_from(["revenue", "tax", "main_business_revenue"]),
        st.sampled_from(["=", "!=", ">", ">=", "<", "<="]),
        _money,
    ),
    st.builds(
        lambda f, op, v: f"{f} {op} {v}",
        st.sampled_from(["revenue_growth", "rd_ratio"]),
        st.sampled_from(["=", "!=", ">", ">=", "<", "<="]),
        _percent,
    ),
    st.builds(_between, _amount, _amount),
    st.builds(
        lambda f, op, v: f"{f} {op} {v}",
        st.sampled_from(["upgrade_investment", "project_investment"]),
        st.sampled_from(["=", "!=", ">", ">=", "<", "<="]),
        _money,
    ),
    st.builds(lambda n: f"employees >= {n}人", st.integers(min_value=0, max_value=2000)),
    st.builds(
        lambda values: "size_class in (" + ", ".join(f'"{v}"' for v in values) + ")",
        st.lists(st.sampled_from(["large", "medium", "small", "micro"]), min_size=1, max_size=3),
    ),
    st.builds(lambda b: f"above_scale = {b}", st.sampled_from(["true", "false"])),
    st.builds(lambda q: f'holds("{q}")', st.sampled_from(["specialized_sme", "little_giant"])),
    st.builds(lambda y: f"established <= {y}-06-30", st.integers(min_value=2008, max_value=2022)),
)
_rule = st.recursive(
    _criterion,
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"({a} and {b})", inner, inner),
        st.builds(lambda a, b: f"({a} or {b})", inner, inner),
        st.builds(lambda a: f"not ({a})", inner),
    ),
    max_leaves=6,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=_rule)
def test_random_rules_agree_in_the_database_and_in_memory(archive, text):
    rule = rules.parse(text)
    in_db = dict(selectors.rule_outcomes(rule, ON).values_list("pk", "eligible"))
    in_memory = {
        e.pk: rules.evaluate(rule, selectors.facts_of(e, ON))
        for e in Enterprise.objects.select_related("district", "park", "industry")
    }
    assert {pk: None if v is None else bool(v) for pk, v in in_db.items()} == in_memory, text
    # The stored facts, as an enterprise's rematch reads them, decide it the same way.
    stored = services.facts_in_memory(in_memory, ON)
    assert {pk: rules.evaluate(rule, stored[pk]) for pk in in_memory} == in_memory, text
