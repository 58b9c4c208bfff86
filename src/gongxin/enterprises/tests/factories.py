"""Factories for the enterprise archive, with valid unified social credit codes."""

import datetime as dt
from decimal import Decimal

import factory
from stdnum.cn import uscc as stdnum_uscc

from gongxin.core.models import Industry, Region
from gongxin.enterprises.models import Enterprise, MonthlyFigure, Qualification


def make_uscc(n: int, *, prefix: str = "91360100") -> str:
    """A valid USCC (check digit per GB 32100-2015) numbered n."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body, value = "", n
    for _ in range(9):
        value, digit = divmod(value, 31)
        body = alphabet[digit] + body
    base = (prefix + body)[:17]
    return base + stdnum_uscc.calc_check_digit(base)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    # numbered far above the codes tests pick by hand (make_uscc(1), (22), …), so that
    # the sequence never meets one of them whatever order the tests run in
    uscc = factory.Sequence(lambda n: make_uscc(10**12 + n))
    name = factory.Sequence(lambda n: f"测试样例{n}号制造有限公司")
    legal_representative = factory.Faker("name", locale="zh_CN")
    established_on = dt.date(2015, 6, 1)
    registered_capital = Decimal("10000000.00")
    address = "南昌市测试路1号"
    district = factory.LazyFunction(lambda: Region.objects.get(code="360121"))
    industry = factory.LazyFunction(lambda: Industry.objects.get(code="3670"))
    size_class = "medium"
    above_scale = True
    main_products = "汽车零部件"
    business_scope = "汽车零部件及配件制造；金属制品销售"


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification

    enterprise = factory.SubFactory(EnterpriseFactory)
    kind = "high_tech"
    level = "national"
    issued_on = dt.date(2024, 11, 1)
    expires_on = dt.date(2027, 10, 31)


class MonthlyFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonthlyFigure

    enterprise = factory.SubFactory(EnterpriseFactory)
    period = dt.date(2025, 1, 1)
    output_value = Decimal("5000000.00")
    revenue = Decimal("4800000.00")
    profit = Decimal("300000.00")
    tax = Decimal("150000.00")
    employees = 320
    electricity = Decimal("420000.0")
