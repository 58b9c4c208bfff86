"""What a policy pays: tiers as officials write them (and each way of writing them wrong,
with its line), the tiers written back, the amount computed in Python for each method,
amounts shown as officials read them — and the amount the database stores for a match
(`selectors.benefit_expression`) equal to the one computed in Python from the same facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.enterprises.tests.tabular_files import city_for_module
from gongxin.policies import services
from gongxin.policies.benefits import Benefit, TierError, money, parse_tiers, tiers_text
from gongxin.policies.choices import AmountMethod, MatchResult
from gongxin.policies.models import Match, Policy
from gongxin.policies.tests.helpers import figures_save, policy_data

D = Decimal
ON = dt.date(2026, 6, 1)
YEAR = ON.year - 1
#: True for every enterprise (above_scale is never missing), so every one is eligible.
EVERYONE = "above_scale = true or above_scale = false"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def as_decimals(tiers) -> list[tuple[Decimal, Decimal]]:
    return [(D(t), D(a)) for t, a in tiers]


# Reading tiers -----------------------------------------------------------------------------


def test_tiers_in_wan_yi_yuan_and_persons_with_either_colon():
    text = (
        "2000万元: 20万元\n"
        "5000万元：50万元\n"  # full-width colon
        "\n"  # blank lines are skipped
        "≥1.5亿元 → 1,200,000元\n"
        "  > 3亿元:  2亿元  "
    )
    assert as_decimals(parse_tiers(text)) == [
        (D("20000000"), D("200000")),
        (D("50000000"), D("500000")),
        (D("150000000"), D("1200000")),
        (D("300000000"), D("200000000")),
    ]
    assert as_decimals(parse_tiers("50人: 1万元\n300人：5万元")) == [
        (D(50), D(10000)),
        (D(300), D(50000)),
    ]


def test_tiers_are_strings_for_json():
    tiers = parse_tiers("100元: 1.5元")
    assert tiers == [["100", "1.5"]]
    assert all(isinstance(value, str) for pair in tiers for value in pair)


def test_no_tiers():
    assert parse_tiers("") == []
    assert parse_tiers("\n  \n") == []


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("2000万元 20万元", 1, "write the threshold, a colon and the amount"),
        ("2000万元: 20万元\n5000万元 50万元", 2, "write the threshold, a colon and the amount"),
        ("\n\n2000万元: 20万元\n\n五千万元: 50万元", 5, "“五千” is not an amount"),
        ("2000万元: 二十万元", 1, "“二十” is not an amount"),
        ("2000万元: ", 1, "“” is not an amount"),
        ("-5万元: 1万元", 1, "“-5” is not an amount"),
        ("100万元: -1元", 1, "“-1” is not an amount"),
        ("NaN: 1万元", 1, "“NaN” is not an amount"),
        ("Infinity: 1万元", 1, "“Infinity” is not an amount"),
        ("100万元: 1万元\n100万元: 2万元", 2, "thresholds must rise"),
        ("200万元: 1万元\n1000000元: 2万元", 2, "thresholds must rise"),  # 100万元 < 200万元
        ("1万元: 1元\n2万元: 2元\n3万元: 3元\n2.5万元: 4元", 4, "thresholds must rise"),
    ],
)
def test_each_malformed_line_is_refused_with_its_number(text, line, says):
    with pytest.raises(TierError) as error:
        parse_tiers(text)
    assert error.value.line == line
    assert str(error.value).startswith(f"Tiers, line {line}: ")
    assert says in str(error.value)


def test_a_tier_error_is_a_value_error():
    # forms catch ValueError to show the message on the field
    with pytest.raises(ValueError, match="line 1"):
        parse_tiers("many: 1")


# Writing tiers back ------------------------------------------------------------------------


def test_tiers_written_back_as_the_official_reads_them():
    tiers = parse_tiers("2000万元: 20万元\n5000万元：50万元\n≥1.5亿元 → 1,200,000元\n3亿元: 8000元")
    assert tiers_text(tiers) == (
        "2000万元: 20万元\n5000万元: 50万元\n15000万元: 120万元\n30000万元: 8000元"
    )
    assert tiers_text(parse_tiers("50人: 1万元\n300人：5万元"), "employees") == (
        "50人: 1万元\n300人: 5万元"
    )
    assert tiers_text([]) == tiers_text(None) == ""


@pytest.mark.parametrize(
    ("text", "base"),
    [
        ("2000万元: 20万元\n5000万元: 50万元\n1.5亿元: 120万元", "revenue"),
        ("0元: 500元\n9999元: 1000元\n1万元: 2.5万元", "tax"),
        ("10人: 1万元\n300人: 5万元\n2000人: 30万元", "employees"),
    ],
)
def test_reading_what_was_written_back_gives_the_same_tiers(text, base):
    tiers = parse_tiers(text)
    assert as_decimals(parse_tiers(tiers_text(tiers, base))) == as_decimals(tiers)


@given(
    steps=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=10**7),  # threshold step in hundreds of yuan
            st.integers(min_value=0, max_value=10**7),  # amount in hundreds of yuan
        ),
        min_size=1,
        max_size=6,
    ),
    base=st.sampled_from(["revenue", "tax", "rd_expense"]),
)
def test_tiers_in_whole_hundreds_of_yuan_survive_a_round_trip(steps, base):
    threshold, tiers = 0, []
    for step, amount in steps:
        threshold += step * 100
        tiers.append([str(threshold), str(amount * 100)])
    assert as_decimals(parse_tiers(tiers_text(tiers, base))) == as_decimals(tiers)


def test_tiers_in_yuan_survive_a_round_trip():
    tiers = parse_tiers("12345元: 100元\n20000元: 15050元")
    assert as_decimals(parse_tiers(tiers_text(tiers))) == as_decimals(tiers)


# Computing the amount ----------------------------------------------------------------------

TIERS = ((D("20000000"), D("200000")), (D("50000000"), D("500000")))


def test_a_fixed_amount_whatever_the_facts():
    benefit = Benefit(method=AmountMethod.FIXED, amount=D("100000"))
    assert benefit.compute({}) == D("100000")
    assert benefit.compute({"revenue": D("1")}) == D("100000")
    assert benefit.needs == ""


def test_no_amount():
    benefit = Benefit(method=AmountMethod.NONE, base="revenue")
    assert benefit.compute({"revenue": D("18000000")}) is None
    assert benefit.needs == ""


@pytest.mark.parametrize(
    ("rate", "base", "expected"),
    [
        ("1.5", "18000000", "270000.00"),
        ("3", "1234567", "37037.01"),
        ("0.125", "1000", "1.25"),
        ("1", "0.50", "0.01"),  # 0.005 rounds half up
        ("1", "0.49", "0.00"),
        ("10", "0", "0.00"),
    ],
)
def test_a_rate_of_a_figure_rounded_to_the_fen(rate, base, expected):
    benefit = Benefit(method=AmountMethod.RATE, rate=D(rate), base="rd_expense")
    amount = benefit.compute({"rd_expense": D(base)})
    assert amount == D(expected)
    assert amount.as_tuple().exponent == -2
    assert benefit.needs == "rd_expense"


def test_a_rate_with_a_cap():
    benefit = Benefit(method=AmountMethod.RATE, rate=D("1"), base="revenue", cap=D("500000"))
    assert benefit.compute({"revenue": D("100000000")}) == D("500000")  # 100万元 capped
    assert benefit.compute({"revenue": D("50000000")}) == D("500000")  # exactly the cap
    assert benefit.compute({"revenue": D("20000000")}) == D("200000.00")  # under the cap


def test_a_rate_of_employees_and_of_figures_given_as_text():
    per_head = Benefit(method=AmountMethod.RATE, rate=D("5000"), base="employees")
    assert per_head.compute({"employees": 12}) == D("600.00")  # 50 yuan a head
    assert Benefit(method=AmountMethod.RATE, rate=D("2"), base="tax").compute(
        {"tax": "150000"}
    ) == D("3000.00")


@pytest.mark.parametrize(
    ("revenue", "expected"),
    [
        ("0", "0"),
        ("19999999.99", "0"),  # below the first threshold: nothing
        ("20000000", "200000"),  # a threshold counts from itself upwards
        ("49999999.99", "200000"),
        ("50000000", "500000"),
        ("10000000000", "500000"),  # above the last: the last
    ],
)
def test_tiers_of_a_figure(revenue, expected):
    benefit = Benefit(method=AmountMethod.TIERS, base="revenue", tiers=TIERS)
    assert benefit.compute({"revenue": D(revenue)}) == D(expected)
    assert benefit.needs == "revenue"


@pytest.mark.parametrize(
    "benefit",
    [
        Benefit(method=AmountMethod.RATE, rate=D("1"), base="revenue"),
        Benefit(method=AmountMethod.RATE, rate=D("1"), base="revenue", cap=D("500000")),
        Benefit(method=AmountMethod.TIERS, base="revenue", tiers=TIERS),
    ],
    ids=["rate", "rate with cap", "tiers"],
)
def test_no_amount_when_the_figure_is_missing(benefit):
    assert benefit.compute({}) is None
    assert benefit.compute({"revenue": None, "tax": D("100")}) is None


def test_a_policy_s_benefit():
    policy = Policy(
        amount_method=AmountMethod.TIERS,
        base="employees",
        tiers=[["50", "10000"], ["300", "50000.5"]],
    )
    benefit = Benefit.of(policy)
    assert benefit.tiers == ((D(50), D(10000)), (D(300), D("50000.5")))
    assert benefit.compute({"employees": 299}) == D(10000)
    assert Benefit.of(Policy(amount_method=AmountMethod.FIXED, amount=D(5))).tiers == ()


def test_the_method_said_in_words():
    assert Benefit(method=AmountMethod.FIXED, amount=D("100000")).describe() == (
        "10万元 per enterprise"
    )
    capped = Benefit(method=AmountMethod.RATE, rate=D("1.500"), base="revenue", cap=D("500000"))
    assert capped.describe("营业收入") == "1.5% of 营业收入, at most 50万元"
    tiers = Benefit(method=AmountMethod.TIERS, base="employees", tiers=((D(50), D(10000)),))
    assert tiers.describe("从业人员") == "by 从业人员 — from 50人: 1万元"
    assert Benefit(method=AmountMethod.NONE).describe() == "no amount"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "—"),
        (D("0"), "0元"),
        (D("8000"), "8000元"),
        (D("9999.50"), "9999.5元"),
        (D("10000"), "1万元"),
        (D("123456.789"), "12.35万元"),
        (D("200000.00"), "20万元"),
        (D("150000000"), "15000万元"),
        (D("-25000"), "-2.5万元"),
    ],
)
def test_money_as_officials_read_it(value, shown):
    assert money(value) == shown


# The amount stored by a match equals the amount computed in Python ---------------------------


@pytest.fixture(scope="module")
def _module_city(django_db_setup, django_db_blocker):
    yield from city_for_module(django_db_blocker)


@pytest.fixture
def city(_module_city, db):
    return _module_city


def enterprises_with(rows: list[dict], *, year: int = YEAR, on: dt.date = ON) -> list[int]:
    """Enterprises with these figures of `year` (missing keys: no figure), facts as of `on`."""
    ids = []
    for values in rows:
        enterprise = EnterpriseFactory()
        if values:
            figures_save(enterprise, year, **values)
        ids.append(enterprise.pk)
    services.facts_refresh(enterprise_ids=ids, on=on)
    return ids


def policy_new(**values) -> Policy:
    """A policy created as `policy_save` leaves it in memory (values as typed, not reloaded)."""
    data = policy_data(rule_text=EVERYONE, **values)
    return Policy.objects.create(**data)


def stored_and_computed(policy: Policy, ids: list[int]):
    services.match_policy(policy, on=ON, tell=False)
    in_db = dict(Match.objects.filter(policy=policy).values_list("enterprise_id", "benefit"))
    facts = services.facts_in_memory(ids, ON)
    benefit = Benefit.of(policy)
    return in_db, {pk: benefit.compute(facts[pk]) for pk in ids}


FIGURES = [
    {"revenue": "18000000", "tax": "620000.50", "rd_expense": "1234567", "employees": 120},
    {"revenue": "52000000.75", "tax": "0", "rd_expense": "0.50", "employees": 0},
    {"revenue": "0", "tax": "1", "rd_expense": "999.99", "employees": 3000},
    {"revenue": "20000000", "tax": "2000000", "rd_expense": "80000", "employees": 300},
    {"revenue": "300000000", "tax": "45000000", "rd_expense": "12000000.01", "employees": 50},
]
POLICIES = {
    "fixed": {"amount_method": AmountMethod.FIXED, "amount": D("100000")},
    "none": {"amount_method": AmountMethod.NONE},
    "rate": {"amount_method": AmountMethod.RATE, "rate": D("2.5"), "base": "rd_expense"},
    "small rate": {"amount_method": AmountMethod.RATE, "rate": D("0.125"), "base": "tax"},
    "rate with cap": {
        "amount_method": AmountMethod.RATE,
        "rate": D("1.5"),
        "base": "revenue",
        "cap": D("500000"),
    },
    "tiers": {
        "amount_method": AmountMethod.TIERS,
        "base": "revenue",
        "tiers": parse_tiers("2000万元: 20万元\n5000万元: 50万元\n1亿元: 80万元"),
    },
    "tiers of employees": {
        "amount_method": AmountMethod.TIERS,
        "base": "employees",
        "tiers": parse_tiers("50人: 1万元\n300人: 5.5万元"),
    },
}


@pytest.mark.parametrize("kind", POLICIES)
def test_the_stored_amount_is_the_computed_amount(city, kind):
    ids = enterprises_with(FIGURES)
    in_db, in_memory = stored_and_computed(policy_new(**POLICIES[kind]), ids)
    assert in_db == in_memory
    if kind != "none":
        assert None not in in_memory.values()  # every figure is there: an amount for each


_expected_missing = {
    "fixed": D("100000"),
    "none": None,
    "rate": None,
    "small rate": None,
    "rate with cap": None,
    "tiers": None,
    "tiers of employees": None,
}




@pytest.mark.parametrize("kind", list(POLICIES))
def test_no_stored_amount_when_the_figure_is_missing(city, kind):
    ids = enterprises_with([{}, {"output_value": "100"}])  # no figure of any base
    in_db, in_memory = stored_and_computed(policy_new(**POLICIES[kind]), ids)
    assert in_memory == dict.fromkeys(ids, _expected_missing[kind])
    assert in_db == in_memory


def test_a_whole_number_rate_of_a_figure_in_whole_yuan(city):
    # SQLite keeps both as integers: the division must not drop the cents
    ids = enterprises_with([{"rd_expense": "1234567"}, {"rd_expense": "150"}])
    policy = policy_new(amount_method=AmountMethod.RATE, rate=D("3"), base="rd_expense")
    in_db, in_memory = stored_and_computed(policy, ids)
    assert in_memory == {ids[0]: D("37037.01"), ids[1]: D("4.50")}
    assert in_db == in_memory


def test_a_policy_saved_through_the_service_stores_what_is_computed(city):
    today = timezone.localdate()
    ids = enterprises_with(FIGURES, year=today.year - 1, on=today)
    policy = services.policy_save(
        actor=None,
        policy=None,
        data=policy_data(
            rule_text="revenue >= 2000万元",
            amount_method=AmountMethod.RATE,
            rate=D("1.5"),
            base="revenue",
            cap=D("500000"),
        ),
    )
    facts = services.facts_in_memory(ids, today)
    matches = {m.enterprise_id: m for m in Match.objects.filter(policy=policy)}
    assert set(matches) == {ids[1], ids[3], ids[4]}
    assert {m.result for m in matches.values()} == {MatchResult.ELIGIBLE}
    for pk, match in matches.items():
        assert match.benefit == Benefit.of(policy).compute(facts[pk])
    assert matches[ids[4]].benefit == D("500000")  # 1.5% of 3亿元, capped
    assert matches[ids[3]].benefit == D("300000")  # 1.5% of 2000万元


# Random figures and amounts ------------------------------------------------------------------

# Figures up to 10亿元 and rates up to 10% keep amounts under 1亿元, where SQLite (which
# multiplies in floating point) is still exact to the fen.
_figure = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
_employees = st.integers(min_value=0, max_value=100_000)
# No revenue, or at least 1万元: R&D of up to 10亿元 on a revenue of a few fen is a ratio
# that overflows Fact.rd_ratio (see test_rematch's test_extreme_figures_…).
_revenue = st.just(D(0)) | st.decimals(min_value=10**4, max_value=10**9, places=2)
_enterprise = st.fixed_dictionaries(
    {
        "revenue": _revenue,
        "main_business_revenue": _figure,
        "tax": _figure,
        "rd_expense": _figure,
        "employees": _employees,
    }
)
_base = st.sampled_from(["revenue", "main_business_revenue", "tax", "rd_expense", "employees"])
_amount = st.decimals(min_value=0, max_value=10**8, places=2, allow_nan=False)
_rate = st.decimals(min_value=D("0.001"), max_value=10, places=3, allow_nan=False)


@st.composite
def _tiers(draw):
    thresholds = draw(st.lists(_figure, min_size=1, max_size=5, unique=True))
    return [[str(t), str(draw(_amount))] for t in sorted(thresholds)]


_policy = st.one_of(
    st.fixed_dictionaries({"amount_method": st.just(AmountMethod.FIXED), "amount": _amount}),
    st.fixed_dictionaries(
        {
            "amount_method": st.just(AmountMethod.RATE),
            "rate": _rate,
            "base": _base,
            "cap": st.none() | _amount,
        }
    ),
    st.fixed_dictionaries(
        {"amount_method": st.just(AmountMethod.TIERS), "base": _base, "tiers": _tiers()}
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(_enterprise, min_size=1, max_size=4), kinds=st.lists(_policy, max_size=3))
def test_random_amounts_agree_in_the_database_and_in_memory(city, rows, kinds):
    with transaction.atomic():
        ids = enterprises_with(rows)
        for values in kinds:
            in_db, in_memory = stored_and_computed(policy_new(**values), ids)
            assert in_db == in_memory, values
        transaction.set_rollback(True)
