"""Import and export of the enterprise archive: the columns officials use, one spec each
for enterprises and for monthly figures. The template, the importer and the export are
all made from these lists, so an exported file imports back with nothing changed."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from gongxin.core.choices import DISTRICT_KINDS, PARK_KINDS, Role
from gongxin.core.models import Industry, Region, User
from gongxin.core.selectors import region_with_descendants
from gongxin.core.tabular import columns as c
from gongxin.core.tabular.columns import CellError, Column
from gongxin.core.tabular.importing import (
    Change,
    ChunkOutcome,
    Importer,
    ImportRow,
    RowRejected,
)
from gongxin.core.tabular.upsert import AuditSpec, ChunkUpsert, StagedRow, Written
from gongxin.core.units import WAN
from gongxin.enterprises.choices import EnterpriseStatus, SizeClass
from gongxin.enterprises.models import Enterprise, MonthlyFigure
from gongxin.enterprises.selectors import enterprise_scope
from gongxin.enterprises.services import ENTERPRISE_FIELDS, MONTHLY_FIELDS
from gongxin.enterprises.signals import announce
from gongxin.enterprises.uscc import uscc_cell

SIZE_LABELS = {
    "大型": SizeClass.LARGE,
    "中型": SizeClass.MEDIUM,
    "小型": SizeClass.SMALL,
    "微型": SizeClass.MICRO,
    "大": SizeClass.LARGE,
    "中": SizeClass.MEDIUM,
    "小": SizeClass.SMALL,
    "微": SizeClass.MICRO,
}
SIZE_NAMES = {
    SizeClass.LARGE: "大型",
    SizeClass.MEDIUM: "中型",
    SizeClass.SMALL: "小型",
    SizeClass.MICRO: "微型",
}
STATUS_LABELS = {
    "在营": EnterpriseStatus.OPERATING,
    "存续": EnterpriseStatus.OPERATING,
    "停产": EnterpriseStatus.SUSPENDED,
    "迁出": EnterpriseStatus.MOVED_OUT,
    "注销": EnterpriseStatus.DEREGISTERED,
}
STATUS_NAMES = {
    EnterpriseStatus.OPERATING: "在营",
    EnterpriseStatus.SUSPENDED: "停产",
    EnterpriseStatus.MOVED_OUT: "迁出",
    EnterpriseStatus.DEREGISTERED: "注销",
}


def _industry_code(cell: object) -> str:
    if c.is_blank(cell):
        return ""
    match = re.match(r"^\s*[A-Ta-t]?\s*(\d{2,4})", str(cell))
    if not match:
        raise CellError(
            _("“%(value)s” is not a GB/T 4754-2017 industry code (write 3961 or C3961).")
            % {"value": cell}
        )
    return match.group(1)


ENTERPRISE_COLUMNS = [
    Column(
        "uscc",
        "统一社会信用代码",
        uscc_cell,
        required=True,
        aliases=("社会信用代码", "信用代码", "USCC"),
        example="91360100MA35XXXXXX",
    ),
    Column("name", "企业名称", c.text(200), required=True, aliases=("名称", "单位名称")),
    Column("legal_representative", "法定代表人", c.text(50), aliases=("法人代表", "法人")),
    Column("established_on", "成立日期", c.date, aliases=("成立时间",)),
    Column(
        "registered_capital",
        "注册资本（万元）",
        c.decimal(scale=WAN, places=2),
        render=c.render_scaled(WAN),
        aliases=("注册资本",),
    ),
    Column("address", "注册地址", c.text(255), aliases=("地址", "住所")),
    Column(
        "district",
        "所属区县",
        c.text(100),
        required=True,
        aliases=("区县", "所在区县", "县区"),
        render=lambda r: r.name if r else "",
    ),
    Column(
        "park",
        "所属园区",
        c.text(100),
        aliases=("园区", "所在园区", "开发区"),
        render=lambda r: r.name if r else "",
    ),
    Column(
        "industry",
        "行业代码",
        _industry_code,
        aliases=("国民经济行业代码", "行业"),
        render=lambda i: i.code if i else "",
    ),
    Column(
        "size_class",
        "企业规模",
        c.choice(SIZE_LABELS),
        aliases=("规模",),
        render=lambda v: SIZE_NAMES.get(v, ""),
    ),
    Column(
        "above_scale", "是否规上", c.boolean, aliases=("规上企业", "规上"), render=c.render_boolean
    ),
    Column(
        "status",
        "经营状态",
        c.choice(STATUS_LABELS, blank=None),
        aliases=("状态",),
        render=lambda v: STATUS_NAMES.get(v, ""),
    ),
    Column("main_products", "主要产品", c.text(500), aliases=("主导产品", "产品")),
    Column("business_scope", "经营范围", c.text(4000)),
    Column("service_officer", "包联干部", c.text(150), aliases=("联系干部", "包联领导")),
]

FIGURE_COLUMNS = [
    Column(
        "uscc", "统一社会信用代码", uscc_cell, required=True, aliases=("社会信用代码", "信用代码")
    ),
    Column("name", "企业名称", c.text(200), aliases=("名称", "单位名称")),
    Column(
        "period",
        "年月",
        c.month,
        required=True,
        aliases=("月份", "统计月份", "期别"),
        render=lambda d: d.strftime("%Y-%m"),
    ),
    Column(
        "output_value",
        "工业总产值（万元）",
        c.decimal(scale=WAN),
        render=c.render_scaled(WAN),
        aliases=("工业总产值",),
    ),
    Column(
        "revenue",
        "营业收入（万元）",
        c.decimal(scale=WAN),
        render=c.render_scaled(WAN),
        aliases=("营业收入",),
    ),
    Column(
        "profit",
        "利润总额（万元）",
        c.decimal(scale=WAN, minimum=None),
        render=c.render_scaled(WAN),
        aliases=("利润总额", "利润"),
    ),
    Column(
        "tax",
        "税收（万元）",
        c.decimal(scale=WAN, minimum=None),
        render=c.render_scaled(WAN),
        aliases=("税收", "税金总额", "实缴税金"),
    ),
    Column("employees", "从业人员（人）", c.integer(), aliases=("从业人员", "从业人数")),
    Column(
        "electricity",
        "用电量（万千瓦时）",
        c.decimal(scale=WAN, places=1, digits=16),  # MonthlyFigure.electricity
        render=c.render_scaled(WAN),
        aliases=("用电量", "工业用电量"),
    ),
]


def _name_key(name: str) -> str:
    """Names compared without spaces and with brackets of either width."""
    return re.sub(r"\s", "", name).replace("（", "(").replace("）", ")")


class EnterpriseImporter(Importer):
    """Enterprises, upserted by 统一社会信用代码. Columns absent from the file are left as
    they are; rows identical to the archive are not written and not audited."""

    kind = "enterprises"
    model = Enterprise
    columns = ENTERPRISE_COLUMNS
    key_columns = ("uscc",)

    def prepare(self) -> None:
        self.upsert: ChunkUpsert | None = None
        regions = list(Region.objects.all())
        self.districts = _lookup([r for r in regions if r.kind in DISTRICT_KINDS])
        self.parks = _lookup([r for r in regions if r.kind in PARK_KINDS])
        self.industries = {i.code: i for i in Industry.objects.all()}
        officers = list(User.objects.filter(role=Role.OFFICER, is_active=True))
        self.officers = {u.username: u for u in officers}
        names: dict[str, list[User]] = {}
        for user in officers:
            if user.display_name:
                names.setdefault(user.display_name, []).append(user)
        self.officer_names = names
        self.allowed_districts: set[int] | None = None
        self.allowed_parks: set[int] | None = None
        actor = self.actor
        if actor is not None and actor.role == Role.DISTRICT:
            if actor.region.is_park:
                self.allowed_parks = set(region_with_descendants(actor.region))
            else:
                self.allowed_districts = {actor.region_id}

    def check_row(self, values: dict[str, Any]) -> None:
        errors = []
        if "district" in values:
            district = _region_get(self.districts, values["district"])
            if district is None:
                errors.append(
                    (
                        "district",
                        _("“%(v)s” is not a district or county of the city.")
                        % {"v": values["district"]},
                    )
                )
            values["district"] = district
        if "park" in values:
            park = None
            if values["park"]:
                park = _region_get(self.parks, values["park"])
                if park is None:
                    errors.append(
                        (
                            "park",
                            _("“%(v)s” is not a known development zone or park.")
                            % {"v": values["park"]},
                        )
                    )
            values["park"] = park
        if "industry" in values:
            code = values["industry"]
            industry = self.industries.get(code) if code else None
            if code and industry is None:
                errors.append(
                    (
                        "industry",
                        _(
                            "Industry code %(v)s is not in the classification "
                            "(GB/T 4754-2017) loaded here."
                        )
                        % {"v": code},
                    )
                )
            values["industry"] = industry
        if "service_officer" in values:
            values["service_officer"] = self._officer(values["service_officer"], errors)
        if "status" in values and values["status"] is None:
            values["status"] = EnterpriseStatus.OPERATING
        if "above_scale" in values and values["above_scale"] is None:
            values["above_scale"] = False
        district, park = values.get("district"), values.get("park")
        if (
            self.allowed_districts is not None
            and district
            and district.pk not in self.allowed_districts
        ):
            errors.append(
                (
                    "district",
                    _("Outside your district: you may import only %(r)s.")
                    % {"r": self.actor.region},
                )
            )
        if self.allowed_parks is not None and (park is None or park.pk not in self.allowed_parks):
            errors.append(
                (
                    "park",
                    _("Outside your park: you may import only %(r)s.") % {"r": self.actor.region},
                )
            )
        if errors:
            raise RowRejected(errors)
        for key in _RELATED:  # stored as ids from here on: what is written and audited
            if values.get(key) is not None:
                values[key] = values[key].pk

    def _officer(self, value: str, errors: list) -> User | None:
        if not value:
            return None
        if value in self.officers:
            return self.officers[value]
        matches = self.officer_names.get(value, [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            errors.append(
                (
                    "service_officer",
                    _("Several officers are called %(v)s; write the account name instead.")
                    % {"v": value},
                )
            )
        else:
            errors.append(("service_officer", _("No service officer %(v)s.") % {"v": value}))
        return None

    def check_chunk(self, rows: list[ImportRow]) -> dict[int, list[tuple[str, str]]]:
        if self.upsert is None:
            self.upsert = ChunkUpsert(
                Enterprise,
                key=("uscc",),
                fields=[k for k in ENTERPRISE_FIELDS if k in rows[0].values],
                actor=self.actor,
                audit=AuditSpec(_OBJECT_TYPE, repr_field="name"),
            )
        message = _("Import")
        repeats = self.upsert.stage(
            [StagedRow(r.number, r.values, r.values.get("name", ""), message) for r in rows]
        )
        errors = self.repeated(repeats)
        if self.actor is not None:
            reason = _("This enterprise is outside your scope.")
            for number in self.upsert.outside(enterprise_scope(self.actor, for_change=True)):
                errors.setdefault(number, []).append(("uscc", reason))
        return errors

    def apply(self, rows: list[ImportRow], *, sample: int) -> ChunkOutcome:
        written = self.upsert.write(sample=sample)
        labels = {r.number: r.values.get("name") or r.values["uscc"] for r in rows}
        return _outcome(written, labels)

    def finish(self) -> None:
        if self.upsert is not None:
            self.upsert.close()

    def committed(self, result) -> None:
        if result.created or result.updated:
            announce(None)


_OBJECT_TYPE = "enterprises.enterprise"


def _outcome(written: Written, labels: dict[int, str]) -> ChunkOutcome:
    return ChunkOutcome(
        created=written.created,
        updated=written.updated,
        unchanged=written.unchanged,
        changes=[
            Change(number, action, labels.get(number, ""), changes)
            for number, action, changes in written.sample
        ],
    )


_RELATED = ("district", "park", "industry", "service_officer")


def _region_get(table: dict[str, Region], value: str) -> Region | None:
    return table.get(value) or table.get(_name_key(value))


def _lookup(regions: list[Region]) -> dict[str, Region]:
    """Regions by full name, short name and code."""
    table: dict[str, Region] = {}
    for region in regions:
        for key in (region.name, region.short_name, region.code):
            if key:
                table[_name_key(key)] = region
    return table


class MonthlyFigureImporter(Importer):
    """Monthly figures, upserted by (统一社会信用代码, 年月). The enterprise must be in the
    archive and in the importing user's scope; a name given in the file must match it."""

    kind = "figures"
    model = MonthlyFigure
    columns = FIGURE_COLUMNS
    key_columns = ("uscc", "period")

    def prepare(self) -> None:
        self.upsert: ChunkUpsert | None = None

    def check_chunk(self, rows: list[ImportRow]) -> dict[int, list[tuple[str, str]]]:
        codes = {r.values["uscc"] for r in rows}
        scope = enterprise_scope(self.actor, for_change=True) if self.actor else Enterprise.objects
        self._enterprises = {
            e.uscc: e for e in scope.filter(uscc__in=codes).only("pk", "uscc", "name")
        }
        errors: dict[int, list[tuple[str, str]]] = {}
        for row in rows:
            enterprise = self._enterprises.get(row.values["uscc"])
            if enterprise is None:
                errors[row.number] = [
                    (
                        "uscc",
                        _(
                            "No enterprise with this code in your part of "
                            "the archive; import the enterprise first."
                        ),
                    )
                ]
            elif row.values.get("name") and _name_key(row.values["name"]) != _name_key(
                enterprise.name
            ):
                errors[row.number] = [
                    (
                        "name",
                        _("The archive has this code as “%(name)s”.") % {"name": enterprise.name},
                    )
                ]
        if self.upsert is None:
            self.upsert = ChunkUpsert(
                MonthlyFigure,
                key=("enterprise", "period"),
                fields=[k for k in MONTHLY_FIELDS if k in rows[0].values],
                actor=self.actor,
                audit=AuditSpec(_OBJECT_TYPE, object_id="enterprise", fields=MONTHLY_FIELDS),
            )
        staged = []
        for row in rows:
            if row.number in errors:
                continue
            enterprise = self._enterprises[row.values["uscc"]]
            month = f"{row.values['period']:%Y-%m}"
            staged.append(
                StagedRow(
                    row.number,
                    {**row.values, "enterprise": enterprise.pk},
                    enterprise.name,
                    _("Monthly figures %(period)s (import)") % {"period": month},
                )
            )
        errors.update(self.repeated(self.upsert.stage(staged)))
        return errors

    def apply(self, rows: list[ImportRow], *, sample: int) -> ChunkOutcome:
        labels = {
            row.number: f"{self._enterprises[row.values['uscc']].name} {row.values['period']:%Y-%m}"
            for row in rows
        }
        return _outcome(self.upsert.write(sample=sample), labels)

    def finish(self) -> None:
        if self.upsert is not None:
            self.upsert.close()

    def committed(self, result) -> None:
        # the indicators' monthly totals and the policies' facts come from these figures
        if result.created or result.updated:
            announce(None)


def enterprise_export_rows(queryset) -> Any:
    """Rows for the enterprise export, in template column order (streams the queryset)."""
    officers = User.objects.filter(role=Role.OFFICER).exclude(display_name="")
    counts: dict[str, int] = {}
    for name in officers.values_list("display_name", flat=True):
        counts[name] = counts.get(name, 0) + 1

    def officer(user):
        if user is None:
            return ""
        return (
            user.display_name
            if user.display_name and counts.get(user.display_name) == 1
            else user.username
        )

    qs = queryset.select_related("district", "park", "industry", "service_officer")
    for enterprise in qs.iterator(chunk_size=2000):
        row = []
        for column in ENTERPRISE_COLUMNS:
            value = getattr(enterprise, column.key)
            if column.key == "service_officer":
                row.append(officer(value))
            elif column.render:
                row.append(column.render(value))
            else:
                row.append(value if value is not None else "")
        yield row


def figure_export_rows(queryset) -> Any:
    qs = queryset.select_related("enterprise").order_by("enterprise__uscc", "period")
    for figure in qs.iterator(chunk_size=2000):
        row = []
        for column in FIGURE_COLUMNS:
            if column.key == "uscc":
                row.append(figure.enterprise.uscc)
            elif column.key == "name":
                row.append(figure.enterprise.name)
            else:
                value = getattr(figure, column.key)
                row.append(column.render(value) if column.render else value)
        yield row
