"""Indicators (两个大幅提升, 首位度): what is measured and how it adds up, and the targets
of the year. Values are never typed: every figure is computed from the enterprises'
monthly figures (`figures.py`), for the city, a district, a park or a chain, through their
monthly totals per group (`FigureTotal`, kept by `rollup.py`), so that the parts always
add up to the whole."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongxin.chains.models import Chain
from gongxin.core.models import Region, User
from gongxin.indicators.choices import Aggregation, Figure


class Indicator(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    #: The unit it is shown in (亿元, 万元, 万千瓦时, 人, %), `divisor` from the stored one.
    unit = models.CharField(_("unit"), max_length=20)
    divisor = models.DecimalField(
        _("divisor to the unit shown"), max_digits=16, decimal_places=4, default=1
    )
    aggregation = models.CharField(_("aggregation"), max_length=10, choices=Aggregation.choices)
    figure = models.CharField(_("figure"), max_length=20, choices=Figure.choices, blank=True)
    numerator = models.ForeignKey(
        "self",
        verbose_name=_("numerator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    denominator = models.ForeignKey(
        "self",
        verbose_name=_("denominator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: A ratio is multiplied by it (100 for a percentage).
    factor = models.DecimalField(_("factor"), max_digits=10, decimal_places=4, default=1)
    #: Counted over enterprises above designated size (规上) only.
    above_scale_only = models.BooleanField(_("above designated size only"), default=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                name="indicator_made_of_something",
                condition=(
                    Q(
                        aggregation=Aggregation.RATIO,
                        numerator__isnull=False,
                        denominator__isnull=False,
                    )
                    | (~Q(aggregation=Aggregation.RATIO) & ~Q(figure=""))
                ),
                violation_error_message=_(
                    "A ratio names its numerator and denominator; a sum or an average its figure."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """The year's target of an indicator for the city, a district or park, or a chain: a
    level for the year (the year's total of a sum) and/or a growth on the year before (%)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    chain = models.ForeignKey(
        Chain,
        verbose_name=_("chain"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    #: Who the target is for, as one key: "city", a region's code, "chain:<code>".
    scope = models.CharField(_("scope"), max_length=60, editable=False)
    level = models.DecimalField(
        _("target level"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    growth = models.DecimalField(
        _("target growth (%)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    set_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year", "scope"], name="target_unique"),
            models.CheckConstraint(
                name="target_one_scope", condition=Q(region__isnull=True) | Q(chain__isnull=True)
            ),
            models.CheckConstraint(
                name="target_something",
                condition=Q(level__isnull=False) | Q(growth__isnull=False),
                violation_error_message=_("A target is a level, a growth or both."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year} {self.scope}"

    def save(self, *args, **kwargs):
        self.scope = scope_key(self.region, self.chain)
        super().save(*args, **kwargs)


def scope_key(region: Region | None, chain: Chain | None) -> str:
    if chain is not None:
        return f"chain:{chain.code}"
    if region is not None:
        return region.code
    return "city"


_SUM = {"max_digits": 22, "decimal_places": 2, "null": True, "blank": True}


class FigureTotal(models.Model):
    """The enterprises' monthly figures added up for one month and one group — a district and
    park (`chain` empty), or a chain's enterprises (with its sub-chains') in a district
    and park — above designated size or not. Recomputed from the enterprises' figures
    whenever they or the enterprises' places change (`rollup.py`), never typed: what
    indicators read, so that a city's figures do not scan every enterprise's months. A
    figure no enterprise of the group reported for the month is NULL, not zero."""

    period = models.DateField(_("month"))
    district = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    park = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    chain = models.ForeignKey(
        Chain, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    above_scale = models.BooleanField(_("above designated size"))
    enterprises = models.PositiveIntegerField(_("enterprises reporting"))
    output_value = models.DecimalField(_("gross industrial output value"), **_SUM)
    revenue = models.DecimalField(_("operating revenue"), **_SUM)
    profit = models.DecimalField(_("total profit"), **_SUM)
    tax = models.DecimalField(_("taxes paid"), **_SUM)
    electricity = models.DecimalField(_("electricity used (kWh)"), **_SUM)
    employees = models.PositiveBigIntegerField(_("employees"), null=True, blank=True)

    class Meta:
        verbose_name = _("monthly total")
        verbose_name_plural = _("monthly totals")
        indexes = [
            models.Index(fields=["chain", "period"], name="figuretotal_chain_period"),
            models.Index(fields=["district", "period"], name="figuretotal_district_period"),
            models.Index(fields=["period"], name="figuretotal_period"),
        ]

    def __str__(self) -> str:
        where = self.chain_id or f"{self.district_id}/{self.park_id or ''}"
        return f"{self.period:%Y-%m} {where}"


class RollupMember(models.Model):
    """Where an enterprise's figures were last added in (its district, park, size and
    chains), so that when it moves both the groups it left and the one it joined are
    recomputed."""

    #: Not a foreign key: the member outlives a deleted enterprise until its groups are
    #: recomputed.
    enterprise_id = models.IntegerField(primary_key=True)
    district_pk = models.IntegerField(null=True)
    park_pk = models.IntegerField(null=True)
    above_scale = models.BooleanField()
    chain_ids = models.JSONField(default=list)

    def __str__(self) -> str:
        return str(self.enterprise_id)


class ProvinceFigure(models.Model):
    """The province's value of an indicator for a month, as the provincial statistics
    publish it (imported, never computed): what the city's share of the province (首位度)
    is measured against. Stored in the indicator's stored unit (yuan, kWh)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="+"
    )
    period = models.DateField(_("month"))
    to_date = models.DecimalField(_("province, year to date"), max_digits=22, decimal_places=2)
    month_value = models.DecimalField(
        _("province, the month"), max_digits=22, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("province figure")
        verbose_name_plural = _("province figures")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="province_figure_unique"),
            models.CheckConstraint(name="province_figure_first_day", condition=Q(period__day=1)),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period:%Y-%m}"
