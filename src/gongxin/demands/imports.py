"""Import of 12345 hotline exports: each ticket about an enterprise becomes a demand
(source: hotline, its ticket number kept as the reference). A ticket imported before is
left as it is, so the same export can be imported again. The enterprise is found by its
credit code or exact name; whole file or nothing, like every import."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from gongxin.core.models import User
from gongxin.core.tabular import columns as c
from gongxin.core.tabular.columns import Column
from gongxin.core.tabular.importing import Change, ChunkOutcome, Importer, ImportRow
from gongxin.demands.choices import Category, Source, Urgency
from gongxin.demands.models import Demand
from gongxin.demands.selectors import is_desk
from gongxin.enterprises.models import Enterprise
from gongxin.enterprises.selectors import enterprise_scope

CATEGORY_LABELS = {"用工": Category.LABOUR, "人才": Category.TALENT, "融资": Category.FINANCE}
CATEGORY_LABELS |= {"用地": Category.LAND, "用能": Category.ENERGY, "物流": Category.LOGISTICS}
CATEGORY_LABELS |= {"审批": Category.APPROVAL, "政策兑现": Category.POLICY}
CATEGORY_LABELS |= {"市场开拓": Category.MARKET, "科技创新": Category.INNOVATION}
CATEGORY_LABELS |= {"园区配套": Category.PARK, "其他": Category.OTHER}
URGENCY_LABELS = {"一般": Urgency.NORMAL, "普通": Urgency.NORMAL, "紧急": Urgency.URGENT}

HOTLINE_COLUMNS = [
    Column("reference", "工单编号", c.text(60), required=True, aliases=("工单号", "编号")),
    Column("at", "来电时间", c.date, required=True, aliases=("受理时间", "来电日期")),
    Column("enterprise", "企业名称", c.text(200), required=True, aliases=("单位名称", "信用代码")),
    Column("title", "诉求标题", c.text(200), required=True, aliases=("标题", "工单标题")),
    Column("text", "诉求内容", c.text(10_000), required=True, aliases=("内容", "来电内容")),
    Column("category", "诉求类别", c.choice(CATEGORY_LABELS), help="留空则按内容自动建议"),
    Column("urgency", "紧急程度", c.choice(URGENCY_LABELS, blank=Urgency.NORMAL)),
]
NOTES = (
    "每行一张12345热线工单；工单编号已导入过的行保持不变，可重复导入同一文件。",
    "企业名称填写企业档案中的全称，或填写统一社会信用代码。",
    "诉求类别留空时按诉求内容自动建议；来电时间作为诉求登记时间，期限按工作日计算。",
    "导入为全部成功或全部不导入：任何一行有错，整个文件都不会写入。",
)


def hotline_can_import(user: User) -> bool:
    return bool(user and is_desk(user))


def hotline_template(target) -> None:
    from gongxin.core.tabular.files import write_template

    write_template(target, title="12345热线工单", columns=HOTLINE_COLUMNS, notes=NOTES)


class HotlineImporter(Importer):
    kind = "hotline"
    columns = HOTLINE_COLUMNS
    key_columns = ("reference",)

    def prepare(self) -> None:
        self.seen: dict[str, int] = {}

    def check_chunk(self, rows: list[ImportRow]) -> dict[int, list[tuple[str, str]]]:
        errors: dict[int, list[tuple[str, str]]] = {}
        for row in rows:
            first = self.seen.setdefault(row.values["reference"], row.number)
            if first != row.number:
                errors[row.number] = [
                    (
                        "reference",
                        _("Repeats row %(row)d: the same record appears twice in the file.")
                        % {"row": first},
                    )
                ]
        keys = {r.values["enterprise"] for r in rows}
        scope = enterprise_scope(self.actor) if self.actor else Enterprise.objects.all()
        found = {}
        for pk, uscc, name in scope.filter(Q(uscc__in=keys) | Q(name__in=keys)).values_list(
            "pk", "uscc", "name"
        ):
            found[uscc], found[name] = pk, pk
        self.enterprises = found
        self.known = set(
            Demand.objects.filter(
                source=Source.HOTLINE, reference__in=[r.values["reference"] for r in rows]
            ).values_list("reference", flat=True)
        )
        for row in rows:
            if row.number not in errors and row.values["enterprise"] not in found:
                errors[row.number] = [
                    (
                        "enterprise",
                        _("No enterprise of the archive has this name or credit code."),
                    )
                ]
        return errors

    def apply(self, rows: list[ImportRow], *, sample: int) -> ChunkOutcome:
        from django.utils import timezone

        from gongxin.demands.services import demand_register

        outcome = ChunkOutcome()
        for row in rows:
            values = row.values
            if values["reference"] in self.known:
                outcome.unchanged += 1
                continue
            moment = timezone.make_aware(
                timezone.datetime.combine(values["at"], timezone.datetime.min.time())
            )
            demand = demand_register(
                actor=None,
                enterprise=Enterprise.objects.get(pk=self.enterprises[values["enterprise"]]),
                title=values["title"],
                text=values["text"],
                source=Source.HOTLINE,
                category=values.get("category") or "",
                urgency=values.get("urgency") or Urgency.NORMAL,
                reference=values["reference"],
                at=moment,
            )
            if self.actor is not None:
                Demand.objects.filter(pk=demand.pk).update(registered_by=self.actor)
            outcome.created += 1
            if len(outcome.changes) < sample:
                outcome.changes.append(
                    Change(row.number, "create", f"{values['reference']} {demand.title}", {})
                )
        return outcome
