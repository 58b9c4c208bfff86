"""The indicators industrial statistics report every month (规模以上工业), loaded by a data
migration and again by the demo after it empties the database."""

from decimal import Decimal

#: The indicators industrial statistics report every month (规模以上工业): code, name,
#: unit, divisor from the stored unit, aggregation, figure or (numerator, denominator).
CATALOGUE = [
    ("output_value", "规上工业总产值", "亿元", "100000000", "sum", "output_value", None),
    ("revenue", "规上工业营业收入", "亿元", "100000000", "sum", "revenue", None),
    ("profit", "规上工业利润总额", "亿元", "100000000", "sum", "profit", None),
    ("tax", "规上工业税收", "亿元", "100000000", "sum", "tax", None),
    ("electricity", "规上工业用电量", "亿千瓦时", "100000000", "sum", "electricity", None),
    ("employees", "规上工业从业人员（月均）", "万人", "10000", "average", "employees", None),
    ("profit_margin", "营业收入利润率", "%", "1", "ratio", "", ("profit", "revenue")),
]


def indicators_load(Indicator) -> int:
    """Create the catalogue's indicators that `Indicator` (a model class, so data migrations
    can pass their historical model) does not hold yet; returns how many were created."""
    made = {i.code: i for i in Indicator.objects.all()}
    created = 0
    for order, (code, name, unit, divisor, aggregation, figure, ratio) in enumerate(CATALOGUE):
        if code in made:
            continue
        made[code] = Indicator.objects.create(
            code=code,
            name=name,
            unit=unit,
            divisor=Decimal(divisor),
            aggregation=aggregation,
            figure=figure,
            numerator=made[ratio[0]] if ratio else None,
            denominator=made[ratio[1]] if ratio else None,
            factor=Decimal(100) if ratio else Decimal(1),
            sort_order=(order + 1) * 10,
        )
        created += 1
    return created
