"""Reads of policies: the enterprise facts the rule language speaks of, computed in the
database, and a rule compiled to one SQL boolean expression over them — with SQL's own
three-valued logic (a comparison with a missing figure is NULL, AND/OR/NOT keep it
unknown exactly as `rules.evaluate` does), so a whole archive is matched in one query."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    BooleanField,
    DecimalField,
    Exists,
    F,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, NullIf
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    LessThan,
    LessThanOrEqual,
    StartsWith,
)

from gongxin.chains.choices import LinkStatus
from gongxin.chains.models import EnterpriseNode
from gongxin.enterprises.models import AnnualFigure, Enterprise
from gongxin.enterprises.selectors import valid_qualifications
from gongxin.policies import rules

NUMBER = DecimalField(max_digits=20, decimal_places=2)
#: The facts of an enterprise from its file, one column each (`fact_<field>`).
_COLUMNS = {
    "district": F("district__code"),
    "park": F("park__code"),
    "industry": F("industry__code"),
    "size_class": NullIf(F("size_class"), Value("")),
    "above_scale": F("above_scale"),
    "established": F("established_on"),
}
#: Those from last year's annual figures.
_ANNUAL = ("revenue", "main_business_revenue", "tax", "employees")


def enterprise_facts(on: dt.date, queryset: QuerySet[Enterprise] | None = None):
    """The enterprises with every field of the rule language as `fact_<field>`, as of
    the day `on`: figures are last year's annual figures, growth against the year
    before, ratios in percent rounded to two decimals; NULL where data are missing."""
    year = on.year - 1
    last = AnnualFigure.objects.filter(enterprise=OuterRef("pk"), year=year)
    before = AnnualFigure.objects.filter(enterprise=OuterRef("pk"), year=year - 1)
    qs = (queryset if queryset is not None else Enterprise.objects.all()).annotate(
        **{f"fact_{name}": expression for name, expression in _COLUMNS.items()},
        **{f"fact_{name}": Subquery(last.values(name)[:1]) for name in _ANNUAL},
        _rd=Subquery(last.values("rd_expense")[:1]),
        _revenue_before=Subquery(before.values("revenue")[:1]),
    )
    return qs.annotate(
        fact_revenue_growth=Percent(
            F("fact_revenue") - F("_revenue_before"), F("_revenue_before")
        ),
        fact_rd_ratio=Percent(F("_rd"), F("fact_revenue")),
    )


class Percent(Func):
    """part × 100 ÷ whole, rounded to two decimals; NULL when either is missing or the
    whole is zero. In decimals on PostgreSQL; on SQLite, which keeps whole figures as
    integers and would divide them as such, in floating point."""

    output_field = NUMBER

    def as_sql(self, compiler, connection, **extra):
        part, part_params = compiler.compile(self.source_expressions[0])
        whole, whole_params = compiler.compile(self.source_expressions[1])
        if connection.vendor == "sqlite":
            sql = f"ROUND(CAST({part} AS REAL) * 100.0 / NULLIF(CAST({whole} AS REAL), 0), 2)"
        else:
            sql = f"ROUND(({part}) * 100 / NULLIF({whole}, 0), 2)"
        return sql, [*part_params, *whole_params]


class _Bool(Func):
    output_field = BooleanField()


def _all(items):
    return _Bool(*items, template="(%(expressions)s)", arg_joiner=" AND ")


def _any(items):
    return _Bool(*items, template="(%(expressions)s)", arg_joiner=" OR ")


def _not(item):
    return _Bool(item, template="(NOT %(expressions)s)")


_LOOKUPS = {
    "=": Exact,
    ">": GreaterThan,
    ">=": GreaterThanOrEqual,
    "<": LessThan,
    "<=": LessThanOrEqual,
}


def _literal(spec: rules.Field, value: rules.Value):
    if spec.kind in rules.UNITS:
        return Value(value.value * rules.UNITS[spec.kind][value.unit], output_field=NUMBER)
    return Value(value.value)


def _column(name: str, spec: rules.Field):
    column = F(f"fact_{name}")
    return Cast(column, NUMBER) if spec.kind in rules.UNITS else column


def compile_rule(rule, on: dt.date):
    """The rule as an SQL boolean expression over `enterprise_facts(on)`: TRUE, FALSE,
    or NULL when data it needs are missing."""
    if isinstance(rule, rules.AllOf):
        return _all([compile_rule(i, on) for i in rule.items])
    if isinstance(rule, rules.AnyOf):
        return _any([compile_rule(i, on) for i in rule.items])
    if isinstance(rule, rules.Not):
        return _not(compile_rule(rule.item, on))
    if isinstance(rule, rules.Call):
        if rule.function == "holds":
            held = valid_qualifications(on).filter(enterprise=OuterRef("pk"), kind=rule.argument)
        else:
            held = EnterpriseNode.objects.filter(
                enterprise=OuterRef("pk"),
                status=LinkStatus.CONFIRMED,
                node__chain__code=rule.argument,
            )
        return Exists(held)
    spec = rules.FIELDS[rule.field]
    column = _column(rule.field, spec)
    if isinstance(rule, rules.Compare):
        value = _literal(spec, rule.value)
        if rule.op == "!=":
            return _not(Exact(column, value))
        return _LOOKUPS[rule.op](column, value)
    if isinstance(rule, rules.Between):
        return _all(
            [
                GreaterThanOrEqual(column, _literal(spec, rule.low)),
                LessThanOrEqual(column, _literal(spec, rule.high)),
            ]
        )
    if isinstance(rule, rules.Member):
        return In(column, [_literal(spec, v).value for v in rule.values])
    if isinstance(rule, rules.Starts):
        return StartsWith(column, rule.prefix)
    raise TypeError(rule)


def rule_outcomes(rule, on: dt.date, queryset: QuerySet[Enterprise] | None = None):
    """Every enterprise (of `queryset`) with `eligible`: True, False or None."""
    return enterprise_facts(on, queryset).annotate(eligible=compile_rule(rule, on))


def facts_of(enterprise: Enterprise, on: dt.date) -> dict:
    """One enterprise's facts for `rules.evaluate`, read from its file in Python (the
    in-memory side the database's evaluation is checked against)."""
    figures = {f.year: f for f in enterprise.annual_figures.all()}
    last, before = figures.get(on.year - 1), figures.get(on.year - 2)

    def ratio(part, whole):
        if part is None or not whole:
            return None
        return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)

    revenue = last.revenue if last else None
    return {
        "district": enterprise.district.code if enterprise.district_id else None,
        "park": enterprise.park.code if enterprise.park_id else None,
        "industry": enterprise.industry.code if enterprise.industry_id else None,
        "size_class": enterprise.size_class or None,
        "above_scale": enterprise.above_scale,
        "established": enterprise.established_on,
        "revenue": revenue,
        "main_business_revenue": last.main_business_revenue if last else None,
        "tax": last.tax if last else None,
        "employees": last.employees if last else None,
        "revenue_growth": ratio(
            None
            if revenue is None or before is None or before.revenue is None
            else revenue - before.revenue,
            before.revenue if before else None,
        ),
        "rd_ratio": ratio(last.rd_expense if last else None, revenue),
        "qualifications": set(
            valid_qualifications(on).filter(enterprise=enterprise).values_list("kind", flat=True)
        ),
        "chains": set(
            EnterpriseNode.objects.filter(
                enterprise=enterprise, status=LinkStatus.CONFIRMED
            ).values_list("node__chain__code", flat=True)
        ),
    }
