"""Imports of what indicators take from outside gongxin, from the usual statistics XLSX:

- the year's targets (年度目标): one row per indicator, year and scope — the city, a
  district, county, zone or park, or a chain — with the target level in the indicator's
  unit (亿元, 万人 …) and/or the target growth in percent;
- the province's figures (全省数据), for the city's share of the province (首位度): one row
  per indicator and month with the province's year to date and, optionally, the month.

Indicators are named as the catalogue names them (规上工业总产值) or by code; a scope as the
reference page names it (全市 or the city's name, a region's name or code, a chain's name
or code). Each row is written by the services, so it is checked and audited. Whole file or
nothing; the same file imported twice changes nothing the second time."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from gongxin.chains.models import Chain
from gongxin.core.choices import RegionKind
from gongxin.core.models import Region
from gongxin.core.tabular import columns as c
from gongxin.core.tabular.columns import Column
from gongxin.core.tabular.importing import Change, ChunkOutcome, Importer, ImportRow, RowRejected
from gongxin.indicators.choices import Aggregation
from gongxin.indicators.models import Indicator, ProvinceFigure, Target, scope_key
from gongxin.indicators.services import indicators_can_write, province_figure_save, target_save

_FEN = Decimal("0.01")


def _key(text: str) -> str:
    return re.sub(r"\s", "", text).replace("（", "(").replace("）", ")")


def _indicators() -> dict[str, Indicator]:
    found = {}
    for indicator in Indicator.objects.select_related("numerator", "denominator"):
        found[_key(indicator.name)] = indicator
        found[indicator.code] = indicator
    return found


INDICATOR = Column(
    "indicator",
    "指标",
    c.text(100),
    required=True,
    aliases=("指标名称", "指标代码"),
    help="指标名称（如 规上工业总产值）或指标代码（如 output_value）",
    example="规上工业总产值",
)


def _shown_value(key: str, header: str, *, required: bool = False, aliases=(), help=""):
    """A value in the indicator's unit shown (亿元 …): converted per row in `check_chunk`."""
    return Column(
        key,
        header,
        c.decimal(places=6, minimum=Decimal(0), digits=24),
        required=required,
        aliases=aliases,
        help=help,
    )


TARGET_COLUMNS = [
    INDICATOR,
    Column(
        "year",
        "年度",
        c.integer(minimum=2000, maximum=2100),
        required=True,
        aliases=("年份",),
        example="2026",
    ),
    Column(
        "scope",
        "范围",
        c.text(100),
        required=True,
        aliases=("地区", "区县", "产业链", "对象"),
        help="全市；区县、开发区或园区的名称或代码；或产业链的名称或代码",
        example="全市",
    ),
    _shown_value(
        "level",
        "目标值",
        aliases=("年度目标值", "目标"),
        help="按指标的单位（如 亿元）；只有总量指标（产值、营收等）填写",
    ),
    Column(
        "growth",
        "目标增速（%）",
        c.decimal(places=2, minimum=None, digits=7),
        aliases=("目标增速", "增长目标", "增速目标"),
        help="比上年增长的百分数，如 9 表示增长 9%",
        example="9",
    ),
]

TARGET_NOTES = (
    "每行是一个指标一个年度一个范围的目标；同一指标、年度和范围在文件中只能出现一次。",
    "范围填“全市”（或城市名称），区县、开发区、园区的名称或代码，或产业链的名称或代码。",
    "目标值按指标的单位填写（如规上工业总产值为亿元），只有总量指标可填；目标增速为百分数。",
    "目标值和目标增速至少填一项；两项都填时同时保存。",
    "同一文件可重复导入，没有变化的行保持不变；导入为全部成功或全部不导入。",
)

PROVINCE_COLUMNS = [
    INDICATOR,
    Column(
        "period",
        "年月",
        c.month,
        required=True,
        aliases=("月份", "统计月份"),
        render=lambda d: d.strftime("%Y-%m"),
        example="2026-10",
    ),
    _shown_value(
        "to_date",
        "全省累计值",
        required=True,
        aliases=("全省累计", "累计值", "累计"),
        help="按指标的单位（如 亿元），1 月至该月累计",
    ),
    _shown_value(
        "month_value",
        "全省本月值",
        aliases=("全省当月值", "本月值", "当月值"),
        help="按指标的单位，可不填",
    ),
]

PROVINCE_NOTES = (
    "每行是一个指标一个月份的全省数据，用于计算全市占全省比重（首位度）。",
    "数值按指标的单位填写（如规上工业总产值为亿元）；累计值为当年 1 月至该月的累计。",
    "比率类指标（如营业收入利润率）不导入全省数据。",
    "同一文件可重复导入，没有变化的行保持不变；导入为全部成功或全部不导入。",
)


def targets_template(target) -> None:
    from gongxin.core.tabular.files import write_template

    write_template(target, title="指标年度目标", columns=TARGET_COLUMNS, notes=TARGET_NOTES)


def province_template(target) -> None:
    from gongxin.core.tabular.files import write_template

    write_template(target, title="全省指标数据", columns=PROVINCE_COLUMNS, notes=PROVINCE_NOTES)


def _in_unit(value: Decimal | None, indicator: Indicator) -> Decimal | None:
    """A value in the unit shown, as stored (亿元 → yuan), to the fen."""
    return None if value is None else (value * indicator.divisor).quantize(_FEN)


class _IndicatorImporter(Importer):
    """Rows naming an indicator; upserted through a service, one row at a time."""

    def prepare(self) -> None:
        self.indicators = _indicators()
        self.seen: dict[tuple, int] = {}
        self.staged: dict[int, dict] = {}

    def indicator_of(self, values: dict[str, Any]) -> Indicator:
        indicator = self.indicators.get(_key(values["indicator"])) or self.indicators.get(
            values["indicator"].strip()
        )
        if indicator is None:
            names = "、".join(sorted({i.name for i in self.indicators.values()}))
            raise RowRejected(
                [
                    (
                        "indicator",
                        _("No indicator of this name; known: %(names)s.") % {"names": names},
                    )
                ]
            )
        return indicator

    def check_chunk(self, rows: list[ImportRow]) -> dict[int, list[tuple[str, str]]]:
        errors: dict[int, list[tuple[str, str]]] = {}
        repeats = {}
        for row in rows:
            try:
                staged = self.stage(row.values)
            except RowRejected as rejected:
                errors[row.number] = rejected.errors
                continue
            first = self.seen.setdefault(staged["key"], row.number)
            if first != row.number:
                repeats[row.number] = first
                continue
            self.staged[row.number] = staged
        for number, found in self.repeated(repeats).items():
            errors.setdefault(number, []).extend(found)
        return errors

    def apply(self, rows: list[ImportRow], *, sample: int) -> ChunkOutcome:
        outcome = ChunkOutcome()
        for row in rows:
            staged = self.staged.pop(row.number)
            _, created, changes = self.write(staged)  # (checked in `stage` already)
            if created:
                outcome.created += 1
            elif changes:
                outcome.updated += 1
            else:
                outcome.unchanged += 1
                continue
            if len(outcome.changes) < sample:
                outcome.changes.append(
                    Change(row.number, "create" if created else "update", staged["label"], changes)
                )
        return outcome


class TargetImporter(_IndicatorImporter):
    kind = "indicator_targets"
    model = Target
    columns = TARGET_COLUMNS
    key_columns = ("indicator", "year", "scope")

    def prepare(self) -> None:
        super().prepare()
        self.scopes: dict[str, tuple[Region | None, Chain | None]] = {}
        city = Region.objects.filter(kind=RegionKind.CITY).first()
        for name in ("全市", "市本级", "city", *([city.name, city.code] if city else [])):
            self.scopes[_key(name)] = (None, None)
        for region in Region.objects.exclude(kind=RegionKind.CITY):
            for name in (region.name, region.short_name, region.code):
                if name:
                    self.scopes.setdefault(_key(name), (region, None))
        for chain in Chain.objects.all():
            for name in (chain.name, chain.code, f"{chain.name}产业链"):
                self.scopes.setdefault(_key(name), (None, chain))

    def stage(self, values: dict[str, Any]) -> dict:
        errors = []
        try:
            indicator = self.indicator_of(values)
        except RowRejected as rejected:
            errors += rejected.errors
            indicator = None
        where = self.scopes.get(_key(values["scope"]))
        if where is None:
            errors.append(
                (
                    "scope",
                    _(
                        "“%(scope)s” is neither the city, a region nor a chain; write 全市, a "
                        "district's, zone's or park's name or code, or a chain's name."
                    )
                    % {"scope": values["scope"]},
                )
            )
        level, growth = values.get("level"), values.get("growth")
        if level is None and growth is None:
            errors.append(("growth", _("Give the target level, the target growth or both.")))
        if indicator is not None and level is not None and indicator.aggregation != Aggregation.SUM:
            errors.append(
                (
                    "level",
                    _("%(name)s is not a sum: give its target as a growth.") % {"name": indicator},
                )
            )
        if errors:
            raise RowRejected(errors)
        region, chain = where
        return {
            "key": (indicator.pk, values["year"], scope_key(region, chain)),
            "label": f"{indicator.name} {values['year']} {values['scope']}",
            "indicator": indicator,
            "year": values["year"],
            "region": region,
            "chain": chain,
            "level": _in_unit(level, indicator),
            "growth": growth,
        }

    def write(self, staged: dict):
        return target_save(
            actor=self.actor,
            **{k: staged[k] for k in ("indicator", "year", "region", "chain", "level", "growth")},
        )


class ProvinceImporter(_IndicatorImporter):
    kind = "indicator_province"
    model = ProvinceFigure
    columns = PROVINCE_COLUMNS
    key_columns = ("indicator", "period")

    def stage(self, values: dict[str, Any]) -> dict:
        indicator = self.indicator_of(values)
        if indicator.aggregation == Aggregation.RATIO:
            raise RowRejected(
                [
                    (
                        "indicator",
                        _("%(name)s is a ratio: the province's share is not taken of it.")
                        % {"name": indicator},
                    )
                ]
            )
        month_value, to_date = values.get("month_value"), values["to_date"]
        if month_value is not None and month_value > to_date:
            raise RowRejected(
                [("month_value", _("The month cannot be more than the year to date."))]
            )
        return {
            "key": (indicator.pk, values["period"]),
            "label": f"{indicator.name} {values['period']:%Y-%m}",
            "indicator": indicator,
            "period": values["period"],
            "to_date": _in_unit(to_date, indicator),
            "month_value": _in_unit(month_value, indicator),
        }

    def write(self, staged: dict):
        return province_figure_save(
            actor=self.actor,
            **{k: staged[k] for k in ("indicator", "period", "to_date", "month_value")},
        )


def indicators_can_import(user) -> bool:
    return bool(user and user.is_authenticated) and indicators_can_write(user)
