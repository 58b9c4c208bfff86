"""The eligibility rule language of policies (政策找企业): a rule is text an official
writes, e.g.

    size_class in ("small", "medium") and above_scale = false
    and revenue between 1500万元 and 2000万元 and revenue_growth > 0%
    and not holds("little_giant")

Plain Python, no database: `parse` reads a rule into a tree and checks it against the
fields enterprises have (`FIELDS`), so that an unknown field, a value of the wrong type or
an unknown choice is refused with its line and column; `describe` says the rule in plain
Chinese; `evaluate` decides it for one enterprise's facts in three values — eligible,
not eligible, or unknown when data it needs are missing — with the outcome of each
criterion.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from gongxin.core.units import WAN, YI
from gongxin.enterprises.choices import QualificationKind, SizeClass

GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*          -> any_of
?and_expr: not_expr (_AND not_expr)*        -> all_of
?not_expr: _NOT not_expr                    -> negate
         | atom
?atom: NAME OP value                        -> compare
     | NAME _BETWEEN value _AND value       -> between
     | NAME _IN "(" value ("," value)* ")"  -> member
     | NAME _STARTS STRING                  -> starts
     | NAME "(" STRING ")"                  -> call
     | "(" or_expr ")"
value: NUMBER UNIT?                         -> number
     | STRING                               -> string
     | DATE                                 -> date
     | _TRUE                                -> true
     | _FALSE                               -> false

_OR: /or\b/i | "或"
_AND: /and\b/i | "且"
_NOT: /not\b/i | "非"
_BETWEEN: /between\b/i
_IN: /in\b/i
_STARTS: /starts_with\b/i
_TRUE: /true\b/i
_FALSE: /false\b/i
OP: ">=" | "<=" | "!=" | "=" | ">" | "<"
NAME.-1: /[a-z_][a-z0-9_]*/
DATE.2: /\d{4}-\d{2}-\d{2}/
NUMBER: /-?\d+(\.\d+)?/
UNIT: "万元" | "亿元" | "元" | "%" | "人"
STRING: /"[^"]*"/

%import common.WS
%ignore WS
"""

_PARSER = Lark(GRAMMAR, parser="lalr", propagate_positions=True)

# The fields ---------------------------------------------------------------------------------

MONEY, PERCENT, COUNT, BOOL, CHOICE, CODE, DATE = (
    "money", "percent", "count", "bool", "choice", "code", "date"
)  # fmt: skip


@dataclass(frozen=True)
class Field:
    label: str  # as officials say it (Chinese)
    kind: str
    choices: dict[str, str] = field(default_factory=dict)  # value: label, for CHOICE


FIELDS: dict[str, Field] = {
    "district": Field("所属区县（区划代码）", CODE),
    "park": Field("所在园区（代码）", CODE),
    "industry": Field("国民经济行业（GB/T 4754 代码）", CODE),
    "size_class": Field("企业规模", CHOICE, {k: str(v) for k, v in SizeClass.choices}),
    "above_scale": Field("规上企业", BOOL),
    "established": Field("成立日期", DATE),
    "revenue": Field("上年营业收入", MONEY),
    "main_business_revenue": Field("上年主营业务收入", MONEY),
    "revenue_growth": Field("上年营业收入增长率", PERCENT),
    "rd_ratio": Field("上年研发投入占营业收入比例", PERCENT),
    "employees": Field("从业人员", COUNT),
    "tax": Field("上年纳税额", MONEY),
    "rd_expense": Field("上年研发费用", MONEY),
    "upgrade_investment": Field("技术改造类项目已完成投资", MONEY),
    "project_investment": Field("项目已完成投资", MONEY),
}
#: Functions: holds("<qualification>") — holds it, valid on the day of evaluation;
#: on_chain("<chain code>") — confirmed on a node of the chain.
FUNCTIONS = {"holds": "持有有效资质", "on_chain": "位于产业链"}
QUALIFICATIONS = {k: str(v) for k, v in QualificationKind.choices}
#: The units a number may carry for each kind of field, and what they multiply by.
UNITS = {
    MONEY: {"元": Decimal(1), "万元": WAN, "亿元": YI, None: Decimal(1)},
    PERCENT: {"%": Decimal(1), None: Decimal(1)},
    COUNT: {"人": Decimal(1), None: Decimal(1)},
}
ORDERED = (MONEY, PERCENT, COUNT, DATE)

# The tree ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pos:
    line: int
    column: int


@dataclass(frozen=True)
class Compare:
    field: str
    op: str
    value: object
    pos: Pos


@dataclass(frozen=True)
class Between:
    field: str
    low: object
    high: object
    pos: Pos


@dataclass(frozen=True)
class Member:
    field: str
    values: tuple
    pos: Pos


@dataclass(frozen=True)
class Starts:
    field: str
    prefix: str
    pos: Pos


@dataclass(frozen=True)
class Call:
    function: str
    argument: str
    pos: Pos


@dataclass(frozen=True)
class AllOf:
    items: tuple


@dataclass(frozen=True)
class AnyOf:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


@dataclass(frozen=True)
class Value:
    """A literal as written: its kind (number, string, date, bool), value and unit."""

    kind: str
    value: object
    unit: str | None
    pos: Pos


class RuleError(ValueError):
    """A rule that cannot be used: what is wrong, and where (line and column, from 1)."""

    def __init__(self, message: str, line: int, column: int, code: str):
        super().__init__(
            _("Line %(line)d, column %(column)d: %(message)s")
            % {"line": line, "column": column, "message": message}
        )
        self.message, self.line, self.column, self.code = message, line, column, code


def _pos(item) -> Pos:
    meta = getattr(item, "meta", None)
    if isinstance(item, Token):
        return Pos(item.line, item.column)
    return Pos(meta.line, meta.column)


@v_args(meta=True)
class _Build(Transformer):
    def any_of(self, meta, items):
        return AnyOf(tuple(items))

    def all_of(self, meta, items):
        return AllOf(tuple(items))

    def negate(self, meta, items):
        return Not(items[0])

    def compare(self, meta, items):
        name, op, value = items
        return Compare(str(name), str(op), value, _pos(name))

    def between(self, meta, items):
        name, low, high = items
        return Between(str(name), low, high, _pos(name))

    def member(self, meta, items):
        name, *values = items
        return Member(str(name), tuple(values), _pos(name))

    def starts(self, meta, items):
        name, prefix = items
        return Starts(str(name), str(prefix)[1:-1], _pos(name))

    def call(self, meta, items):
        name, argument = items
        return Call(str(name), str(argument)[1:-1], _pos(name))

    def number(self, meta, items):
        unit = str(items[1]) if len(items) > 1 else None
        return Value("number", Decimal(str(items[0])), unit, _pos(items[0]))

    def string(self, meta, items):
        return Value("string", str(items[0])[1:-1], None, _pos(items[0]))

    def date(self, meta, items):
        try:
            day = dt.date.fromisoformat(str(items[0]))
        except ValueError:
            raise RuleError(
                _("%(text)s is not a date.") % {"text": items[0]},
                items[0].line,
                items[0].column,
                "date",
            ) from None
        return Value("date", day, None, _pos(items[0]))

    def true(self, meta, items):
        return Value("bool", True, None, Pos(meta.line, meta.column))

    def false(self, meta, items):
        return Value("bool", False, None, Pos(meta.line, meta.column))


def parse(text: str) -> object:
    """The rule's tree, checked against FIELDS; RuleError where it goes wrong."""
    if not (text or "").strip():
        raise RuleError(_("The rule is empty."), 1, 1, "empty")
    try:
        tree = _PARSER.parse(text)
    except UnexpectedEOF:
        lines = text.rstrip().splitlines() or [""]
        raise RuleError(
            _("The rule ends too early: something is missing at its end."),
            len(lines),
            len(lines[-1]) + 1,
            "syntax",
        ) from None
    except (UnexpectedCharacters, UnexpectedToken, UnexpectedInput) as error:
        token = getattr(error, "token", None)
        if token is not None and token.type == "$END":
            lines = text.rstrip().splitlines() or [""]
            raise RuleError(
                _("The rule ends too early: something is missing at its end."),
                len(lines),
                len(lines[-1]) + 1,
                "syntax",
            ) from None
        found = token or getattr(error, "char", "")
        raise RuleError(
            _("“%(found)s” is not expected here.") % {"found": str(found).strip() or "?"},
            error.line,
            error.column,
            "syntax",
        ) from None
    try:
        rule = _Build().transform(tree)
    except Exception as error:  # lark wraps what a callback raises
        inner = getattr(error, "orig_exc", error)
        if isinstance(inner, RuleError):
            raise inner from None
        raise
    _check(rule)
    return rule


def _field(name: str, pos: Pos) -> Field:
    if name not in FIELDS:
        known = "、".join(FIELDS)
        raise RuleError(
            _("Unknown field %(name)s (known: %(known)s).") % {"name": name, "known": known},
            pos.line,
            pos.column,
            "unknown_field",
        )
    return FIELDS[name]


def _value_fits(name: str, spec: Field, value: Value) -> None:
    def wrong(expected: str):
        raise RuleError(
            _("%(label)s takes %(expected)s.") % {"label": spec.label, "expected": expected},
            value.pos.line,
            value.pos.column,
            "type",
        )

    if spec.kind in UNITS:
        if value.kind != "number":
            wrong(_("a number"))
        if value.unit not in UNITS[spec.kind]:
            raise RuleError(
                _("%(label)s is not counted in %(unit)s.")
                % {"label": spec.label, "unit": value.unit},
                value.pos.line,
                value.pos.column,
                "unit",
            )
    elif spec.kind == BOOL and value.kind != "bool":
        wrong(_("true or false"))
    elif spec.kind == DATE and value.kind != "date":
        wrong(_("a date (YYYY-MM-DD)"))
    elif spec.kind in (CODE, CHOICE) and value.kind != "string":
        wrong(_("a quoted text"))
    if spec.kind == CHOICE and value.value not in spec.choices:
        raise RuleError(
            _("%(label)s has no value “%(value)s” (known: %(known)s).")
            % {"label": spec.label, "value": value.value, "known": "、".join(spec.choices)},
            value.pos.line,
            value.pos.column,
            "unknown_value",
        )


def _check(rule) -> None:
    if isinstance(rule, AllOf | AnyOf):
        for item in rule.items:
            _check(item)
    elif isinstance(rule, Not):
        _check(rule.item)
    elif isinstance(rule, Compare):
        spec = _field(rule.field, rule.pos)
        if rule.op not in ("=", "!=") and spec.kind not in ORDERED:
            raise RuleError(
                _("%(label)s cannot be compared with %(op)s.")
                % {"label": spec.label, "op": rule.op},
                rule.pos.line,
                rule.pos.column,
                "type",
            )
        _value_fits(rule.field, spec, rule.value)
    elif isinstance(rule, Between):
        spec = _field(rule.field, rule.pos)
        if spec.kind not in ORDERED:
            raise RuleError(
                _("%(label)s has no range.") % {"label": spec.label},
                rule.pos.line,
                rule.pos.column,
                "type",
            )
        _value_fits(rule.field, spec, rule.low)
        _value_fits(rule.field, spec, rule.high)
        if _as_comparable(spec, rule.low) > _as_comparable(spec, rule.high):
            raise RuleError(
                _(
                    "%(label)s between %(low)s and %(high)s: the first is the larger, so no "
                    "enterprise is in the range; write the smaller first."
                )
                % {
                    "label": spec.label,
                    "low": _say_value(spec, rule.low),
                    "high": _say_value(spec, rule.high),
                },
                rule.low.pos.line,
                rule.low.pos.column,
                "empty_range",
            )
    elif isinstance(rule, Member):
        spec = _field(rule.field, rule.pos)
        for value in rule.values:
            _value_fits(rule.field, spec, value)
    elif isinstance(rule, Starts):
        spec = _field(rule.field, rule.pos)
        if spec.kind != CODE:
            raise RuleError(
                _("Only codes start with something; %(label)s is not one.") % {"label": spec.label},
                rule.pos.line,
                rule.pos.column,
                "type",
            )
    elif isinstance(rule, Call):
        if rule.function not in FUNCTIONS:
            raise RuleError(
                _("Unknown function %(name)s (known: %(known)s).")
                % {"name": rule.function, "known": "、".join(FUNCTIONS)},
                rule.pos.line,
                rule.pos.column,
                "unknown_field",
            )
        if rule.function == "holds" and rule.argument not in QUALIFICATIONS:
            raise RuleError(
                _("No qualification is called “%(value)s” (known: %(known)s).")
                % {"value": rule.argument, "known": "、".join(QUALIFICATIONS)},
                rule.pos.line,
                rule.pos.column,
                "unknown_value",
            )


# Saying it in Chinese ------------------------------------------------------------------------

_OPS = {"=": "为", "!=": "不为", ">": "大于", ">=": "不低于", "<": "小于", "<=": "不高于"}


def _say_value(spec: Field, value: Value, name: str | None = None) -> str:
    if name:
        return f"{name}（{value.value}）"
    if spec.kind == BOOL:
        return "是" if value.value else "否"
    if spec.kind == CHOICE:
        return spec.choices.get(value.value, value.value)
    if value.kind == "number":
        number = f"{value.value.normalize():f}"
        return f"{number}{value.unit or ('%' if spec.kind == PERCENT else '')}"
    if value.kind == "date":
        return f"{value.value:%Y年%m月%d日}"
    return str(value.value)


def codes(rule) -> set[tuple[str, str]]:
    """The codes a rule names, as (what, code): chains, districts, parks, industries —
    for saying them by name (`describe`'s `names`)."""
    if isinstance(rule, AllOf | AnyOf):
        return set().union(*(codes(i) for i in rule.items))
    if isinstance(rule, Not):
        return codes(rule.item)
    if isinstance(rule, Call):
        return {("chain", rule.argument)} if rule.function == "on_chain" else set()
    if FIELDS[rule.field].kind != CODE:
        return set()
    if isinstance(rule, Starts):
        return {(rule.field, rule.prefix)}
    if isinstance(rule, Compare):
        return {(rule.field, str(rule.value.value))}
    if isinstance(rule, Member):
        return {(rule.field, str(v.value)) for v in rule.values}
    return set()


def describe(rule, *, top: bool = True, names: dict[str, str] | None = None) -> str:
    """The rule in plain Chinese, e.g. 企业规模为小型或中型，且上年营业收入在1500万元至
    2000万元之间。`names` ("chain:electronics": "电子信息产业链", "district:360121": …) says
    the codes it names by name."""
    names = names or {}
    if isinstance(rule, AllOf):
        text = "，且".join(describe(i, top=False, names=names) for i in rule.items)
    elif isinstance(rule, AnyOf):
        # an AND among the alternatives in brackets: （A，且B），或C, not A，且B，或C
        parts = []
        for item in rule.items:
            said = describe(item, top=False, names=names)
            grouped = isinstance(item, AllOf) and len(item.items) > 1 and len(rule.items) > 1
            parts.append(f"（{said}）" if grouped else said)
        text = "，或".join(parts)
        text = text if top else f"（{text}）"
    elif isinstance(rule, Not):
        text = f"不满足“{describe(rule.item, top=False, names=names)}”"
    elif isinstance(rule, Compare):
        spec = FIELDS[rule.field]
        if spec.kind == BOOL:
            yes = (rule.op == "=") == bool(rule.value.value)
            text = spec.label if yes else f"非{spec.label}"
        else:
            name = names.get(f"{rule.field}:{rule.value.value}")
            text = f"{spec.label}{_OPS[rule.op]}{_say_value(spec, rule.value, name)}"
    elif isinstance(rule, Between):
        spec = FIELDS[rule.field]
        low, high = _say_value(spec, rule.low), _say_value(spec, rule.high)
        text = f"{spec.label}在{low}至{high}之间"
    elif isinstance(rule, Member):
        spec = FIELDS[rule.field]
        text = f"{spec.label}为" + "或".join(
            _say_value(spec, v, names.get(f"{rule.field}:{v.value}")) for v in rule.values
        )
    elif isinstance(rule, Starts):
        name = names.get(f"{rule.field}:{rule.prefix}")
        shown = f"{name}（{rule.prefix}）" if name else rule.prefix
        text = f"{FIELDS[rule.field].label}以“{shown}”开头"
    elif isinstance(rule, Call):
        if rule.function == "holds":
            text = f"持有有效的{QUALIFICATIONS[rule.argument]}资质"
        else:
            text = f"位于{names.get(f'chain:{rule.argument}', f'产业链“{rule.argument}”')}"
    else:
        raise TypeError(rule)
    return f"{text}。" if top else text


# Deciding for one enterprise -------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One criterion's outcome: True, False or None (unknown: its data are missing)."""

    text: str
    result: bool | None


def _number(value: Value, kind: str) -> Decimal:
    return value.value * UNITS[kind][value.unit]


def _as_comparable(spec: Field, value: Value):
    if spec.kind in UNITS:
        return _number(value, spec.kind)
    return value.value


def _compare(left, op: str, right) -> bool:
    return {
        "=": left == right,
        "!=": left != right,
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
    }[op]


def evaluate(
    rule, facts: dict, outcomes: list[Outcome] | None = None, names: dict | None = None
) -> bool | None:
    """Decide the rule for one enterprise's facts (field: value, None when missing;
    "qualifications": the kinds held and valid on the day; "chains": chain codes),
    in Kleene's three values: an AND is False as soon as one part is False, unknown when
    none is False but one is unknown; an OR the other way round.

    With `outcomes`, each condition the rule sets is appended with its own outcome: each
    part of its AND, that is a criterion, or an OR or a NOT as a whole (“持有有效的高新技术
    企业资质，或持有有效的企业技术中心资质” holds when one of them does; “不满足‘持有有效
    的高新技术企业资质’” fails for an enterprise that holds it). So every line listed must
    hold for the enterprise to be eligible, and a line that does not says why it is not."""
    if outcomes is None:
        return _decided(rule, facts)
    while isinstance(rule, AllOf | AnyOf) and len(rule.items) == 1:
        rule = rule.items[0]  # (the parser's group of one)
    if isinstance(rule, AllOf):
        return _combined(AllOf, [evaluate(item, facts, outcomes, names) for item in rule.items])
    result = _decided(rule, facts)
    text = describe(rule, top=False, names=names)
    if isinstance(rule, AnyOf):
        text = text[1:-1]  # (not inside brackets on a line of its own)
    outcomes.append(Outcome(text, result))
    return result


def _decided(rule, facts: dict) -> bool | None:
    if isinstance(rule, AllOf | AnyOf):
        return _combined(type(rule), [_decided(item, facts) for item in rule.items])
    if isinstance(rule, Not):
        result = _decided(rule.item, facts)
        return None if result is None else not result
    return _criterion(rule, facts)


def _combined(kind, results: list[bool | None]) -> bool | None:
    decisive = kind is AnyOf
    if decisive in results:
        return decisive
    return None if None in results else not decisive


def _criterion(rule, facts: dict) -> bool | None:
    if isinstance(rule, Call):
        held = facts.get("qualifications" if rule.function == "holds" else "chains")
        return None if held is None else rule.argument in held
    fact = facts.get(rule.field)
    if fact is None:
        return None
    spec = FIELDS[rule.field]
    if spec.kind in UNITS:
        try:
            fact = Decimal(str(fact))
        except InvalidOperation:
            return None
    if isinstance(rule, Compare):
        return _compare(fact, rule.op, _as_comparable(spec, rule.value))
    if isinstance(rule, Between):
        return _as_comparable(spec, rule.low) <= fact <= _as_comparable(spec, rule.high)
    if isinstance(rule, Member):
        return fact in {_as_comparable(spec, v) for v in rule.values}
    if isinstance(rule, Starts):
        return str(fact).startswith(rule.prefix)
    raise TypeError(rule)
