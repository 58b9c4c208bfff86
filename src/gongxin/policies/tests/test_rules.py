"""The eligibility rule language: what parses, each kind of malformed rule with its own
error and position, the rule said in Chinese, and three-valued evaluation."""

from decimal import Decimal

import pytest

from gongxin.policies import rules

SMALL_TO_SCALE = (
    'size_class in ("small", "medium") and above_scale = false\n'
    "and revenue between 1500万元 and 2000万元 and revenue_growth > 0%"
)


def test_a_rule_parses_and_is_said_in_chinese():
    rule = rules.parse(SMALL_TO_SCALE)
    assert rules.describe(rule) == (
        "企业规模为小型或中型，且非规上企业，且上年营业收入在1500万元至2000万元之间，"
        "且上年营业收入增长率大于0%。"
    )


def test_chinese_connectives_and_parentheses():
    rule = rules.parse('(employees >= 300人 或 revenue >= 4亿元) 且 非 holds("little_giant")')
    text = rules.describe(rule)
    assert text.startswith("（从业人员不低于300人，或上年营业收入不低于4亿元）")
    assert "不满足" in text


@pytest.mark.parametrize(
    ("text", "code", "line", "column"),
    [
        ("", "empty", 1, 1),
        ("revnue > 1", "unknown_field", 1, 1),
        ('revenue > 1 and shape = "x"', "unknown_field", 1, 17),
        ('revenue > "many"', "type", 1, 11),
        ("above_scale > 1", "type", 1, 1),
        ("above_scale = 1", "type", 1, 15),
        ('size_class = "huge"', "unknown_value", 1, 14),
        ('holds("gold")', "unknown_value", 1, 1),
        ('fly("high")', "unknown_field", 1, 1),
        ("revenue > 5人", "unit", 1, 11),
        ("employees > 5万元", "unit", 1, 13),
        ('revenue starts_with "1"', "type", 1, 1),
        ("established > 2026-02-30", "date", 1, 15),
        ("revenue >", "syntax", 1, 10),
        ("revenue > 1 and\n", "syntax", 1, 16),
        ("revenue >> 1", "syntax", 1, 10),
        ("revenue > 1\nand (employees > 3", "syntax", 2, 19),
        ("revenue between 3000万元 and 1000万元", "empty_range", 1, 17),
        ("revenue between 1亿元 and 5000万元", "empty_range", 1, 17),
        ("established between 2020-01-01 and 2019-01-01", "empty_range", 1, 21),
    ],
)
def test_each_malformed_rule_has_its_own_error_and_position(text, code, line, column):
    with pytest.raises(rules.RuleError) as error:
        rules.parse(text)
    assert (error.value.code, error.value.line, error.value.column) == (code, line, column)
    assert f"{line}" in str(error.value)


FACTS = {
    "size_class": "small",
    "above_scale": False,
    "revenue": Decimal("18000000"),
    "revenue_growth": Decimal("6.5"),
    "industry": "3670",
    "qualifications": {"specialized_sme"},
    "chains": {"nev"},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SMALL_TO_SCALE, True),
        ("revenue between 2000万元 and 1亿元", False),
        ('industry starts_with "36"', True),
        ('industry starts_with "37"', False),
        ('holds("specialized_sme") and on_chain("nev")', True),
        ('not holds("little_giant")', True),
        ("rd_ratio >= 3%", None),  # no R&D figure: unknown
        ("rd_ratio >= 3% and revenue > 1亿元", False),  # one part false decides an AND
        ("rd_ratio >= 3% or revenue < 1亿元", True),  # one part true decides an OR
        ("not rd_ratio >= 3%", None),
        ('size_class != "micro"', True),
    ],
)
def test_three_valued_evaluation(text, expected):
    assert rules.evaluate(rules.parse(text), FACTS) is expected


def test_each_criterion_is_reported():
    outcomes = []
    rules.evaluate(rules.parse("rd_ratio >= 3% and revenue > 1000万元"), FACTS, outcomes)
    assert [(o.text, o.result) for o in outcomes] == [
        ("上年研发投入占营业收入比例不低于3%", None),
        ("上年营业收入大于1000万元", True),
    ]


def test_an_and_among_alternatives_is_said_in_brackets():
    rule = rules.parse('employees >= 100人 and not holds("high_tech") or on_chain("nev")')
    assert rules.describe(rule, names={"chain:nev": "新能源汽车产业链"}) == (
        "（从业人员不低于100人，且不满足“持有有效的高新技术企业资质”），或位于新能源汽车产业链。"
    )
    rule = rules.parse('employees >= 100人 and (not holds("high_tech") or on_chain("nev"))')
    assert rules.describe(rule, names={"chain:nev": "新能源汽车产业链"}) == (
        "从业人员不低于100人，且（不满足“持有有效的高新技术企业资质”，或位于新能源汽车产业链）。"
    )


def test_an_or_and_a_not_are_each_reported_as_one_condition():
    """Each line is a condition the enterprise must meet: an OR holds when one of its
    criteria does, a NOT fails for what the enterprise has (listing their criteria one by
    one would show ✘ on an eligible enterprise and ✔ on the reason it is not)."""
    rule = rules.parse(
        'revenue > 1000万元 and (holds("high_tech") or holds("specialized_sme")) '
        'and not holds("specialized_sme") and (rd_ratio >= 3% or employees >= 100人)'
    )
    outcomes = []
    assert rules.evaluate(rule, FACTS, outcomes) is False
    assert [(o.text, o.result) for o in outcomes] == [
        ("上年营业收入大于1000万元", True),
        ("持有有效的高新技术企业资质，或持有有效的专精特新中小企业资质", True),
        ("不满足“持有有效的专精特新中小企业资质”", False),
        ("上年研发投入占营业收入比例不低于3%，或从业人员不低于100人", None),
    ]
    outcomes = []
    assert rules.evaluate(rules.parse('not holds("little_giant")'), FACTS, outcomes) is True
    assert [(o.text, o.result) for o in outcomes] == [
        ("不满足“持有有效的专精特新“小巨人”企业资质”", True)
    ]


def test_unknown_qualifications_or_chains_make_the_call_unknown():
    facts = {k: v for k, v in FACTS.items() if k not in ("qualifications", "chains")}
    assert rules.evaluate(rules.parse('holds("high_tech")'), facts) is None


def test_codes_are_said_by_name_when_names_are_given():
    rule = rules.parse(
        'on_chain("aviation") and district in ("360121", "360999") and industry starts_with "37"'
    )
    assert rules.codes(rule) == {
        ("chain", "aviation"),
        ("district", "360121"),
        ("district", "360999"),
        ("industry", "37"),
    }
    names = {
        "chain:aviation": "航空产业链",
        "district:360121": "南昌县",
        "industry:37": "铁路、船舶、航空航天和其他运输设备制造业",
    }
    said = rules.describe(rule, names=names)
    assert said.startswith("位于航空产业链，且")
    assert "南昌县（360121）或360999" in said  # an unknown code stays a code
    assert "以“铁路、船舶、航空航天和其他运输设备制造业（37）”开头" in said
    outcomes = []
    rules.evaluate(
        rule, {"chains": {"aviation"}, "district": "360121", "industry": "3741"}, outcomes, names
    )
    assert [o.text for o in outcomes][0] == "位于航空产业链"
    assert all(o.result for o in outcomes)
