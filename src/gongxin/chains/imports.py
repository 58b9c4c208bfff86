"""Import of supplier relations (供应关系): what each enterprise bought from whom in a year,
as chain offices collect it from chain masters (surveys, invoices, declarations).

A file gives, for each buying enterprise and year in it, all its purchases of that year:
they replace what was recorded for that enterprise and year (an enterprise-year absent
from the file is left as it is). A supplier is an enterprise of the archive (credit code)
or one from elsewhere (name and place). The node of what was bought is named by its chain
and node name. Whole file or nothing, like every import.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from gongxin.chains.choices import SupplySource
from gongxin.chains.models import ChainNode, SupplierRelation
from gongxin.chains.selectors import chain_scope
from gongxin.core.audit import audit_record
from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import User
from gongxin.core.selectors import user_edits_everything
from gongxin.core.tabular import columns as c
from gongxin.core.tabular.columns import Column
from gongxin.core.tabular.importing import Change, ChunkOutcome, Importer, ImportRow
from gongxin.core.units import WAN
from gongxin.enterprises.models import Enterprise
from gongxin.enterprises.selectors import enterprise_scope
from gongxin.enterprises.uscc import uscc_cell

SOURCES = {"企业调研": SupplySource.SURVEY, "调研": SupplySource.SURVEY}
SOURCES |= {"税务发票": SupplySource.INVOICE, "发票": SupplySource.INVOICE}
SOURCES |= {"企业填报": SupplySource.DECLARED, "填报": SupplySource.DECLARED}
SOURCE_LABELS = {SupplySource.SURVEY: "企业调研", SupplySource.INVOICE: "税务发票"}
SOURCE_LABELS |= {SupplySource.DECLARED: "企业填报"}


render_amount = c.render_scaled(WAN)

SUPPLIER_COLUMNS = [
    Column("customer", "采购企业信用代码", uscc_cell, required=True, aliases=("采购方信用代码",)),
    Column("customer_name", "采购企业名称", c.text(200), aliases=("采购方",)),
    Column("year", "年度", c.integer(minimum=2000, maximum=2100), required=True),
    Column("supplier", "供应商信用代码", uscc_cell, help="本市供应商填写；市外供应商留空"),
    Column("supplier_name", "供应商名称", c.text(200), help="市外供应商必填"),
    Column("supplier_place", "供应商所在地", c.text(60), example="广东省深圳市"),
    Column("products", "采购产品", c.text(200)),
    Column("chain", "产业链代码", c.text(40), help="与环节名称一起指明所采购产品所在环节"),
    Column("node", "环节名称", c.text(80)),
    Column(
        "amount",
        "年采购额（万元）",
        c.decimal(scale=WAN),
        required=True,
        render=render_amount,
    ),
    Column("source", "数据来源", c.choice(SOURCES, blank=SupplySource.SURVEY)),
]
NOTES = (
    "每行是一家企业一个年度从一家供应商的采购；同一企业同一年度的全部采购写在同一文件中。",
    "导入后，文件中每家企业每个年度的采购替换系统中该企业该年度原有的记录；文件中没有的企业或年度不变。",
    "本市供应商填写统一社会信用代码（须已在企业档案中）；市外供应商填写名称和所在地，信用代码留空。",
    "年采购额以万元为单位；环节名称须是所填产业链中的环节。",
    "导入为全部成功或全部不导入：任何一行有错，整个文件都不会写入。",
)


def supplier_can_import(user: User) -> bool:
    return bool(user and (user_edits_everything(user) or user.role == Role.CHAIN_OFFICE))


def supplier_template(target) -> None:
    from gongxin.core.tabular.files import write_template

    write_template(target, title="供应关系", columns=SUPPLIER_COLUMNS, notes=NOTES)


class SupplierImporter(Importer):
    kind = "suppliers"
    model = SupplierRelation
    columns = SUPPLIER_COLUMNS
    key_columns = ("customer", "year")

    def prepare(self) -> None:
        self.replaced: set[tuple[int, int]] = set()
        self.checked: dict[int, list[SupplierRelation]] = {}
        chains = chain_scope(self.actor, for_change=True) if self.actor else None
        nodes = ChainNode.objects.select_related("chain")
        if chains is not None:
            nodes = nodes.filter(chain__in=chains)
        self.nodes = {(n.chain.code, n.name): n.pk for n in nodes}

    def check_row(self, values: dict[str, Any]) -> None:
        from gongxin.core.tabular.importing import RowRejected

        errors = []
        if not values.get("supplier") and not values.get("supplier_name"):
            errors.append(("supplier_name", _("Give the supplier's credit code or its name.")))
        if values.get("supplier") and values.get("supplier") == values.get("customer"):
            errors.append(("supplier", _("An enterprise does not supply itself.")))
        if not values.get("amount"):
            errors.append(("amount", _("The amount must be more than 0.")))
        if bool(values.get("chain")) != bool(values.get("node")):
            errors.append(("node", _("Give both the chain code and the node name, or neither.")))
        elif values.get("chain") and (values["chain"], values["node"]) not in self.nodes:
            errors.append(
                (
                    "node",
                    _("No node “%(node)s” on a chain %(chain)s you keep.")
                    % {"node": values["node"], "chain": values["chain"]},
                )
            )
        if errors:
            raise RowRejected(errors)

    def check_chunk(self, rows: list[ImportRow]) -> dict[int, list[tuple[str, str]]]:
        codes = {r.values["customer"] for r in rows} | {
            r.values["supplier"] for r in rows if r.values.get("supplier")
        }
        scope = enterprise_scope(self.actor) if self.actor else Enterprise.objects.all()
        known = dict(scope.filter(uscc__in=codes).values_list("uscc", "pk"))
        errors: dict[int, list[tuple[str, str]]] = {}
        self.checked = {}
        for row in rows:
            values = row.values
            problems = []
            for key in ("customer", "supplier"):
                if values.get(key) and values[key] not in known:
                    problems.append((key, _("No enterprise with this code in the archive.")))
            if problems:
                errors[row.number] = problems
                continue
            local = bool(values.get("supplier"))
            self.checked[row.number] = SupplierRelation(
                customer_id=known[values["customer"]],
                supplier_id=known[values["supplier"]] if local else None,
                supplier_name="" if local else values["supplier_name"],
                supplier_place=values.get("supplier_place") or "",
                node_id=self.nodes.get((values.get("chain"), values.get("node"))),
                year=values["year"],
                amount=values["amount"],
                products=values.get("products") or "",
                source=values.get("source") or SupplySource.SURVEY,
            )
        return errors

    def apply(self, rows: list[ImportRow], *, sample: int) -> ChunkOutcome:
        relations = [self.checked[r.number] for r in rows]
        pairs = {(r.customer_id, r.year) for r in relations} - self.replaced
        if pairs:
            condition = Q()
            for customer, year in pairs:
                condition |= Q(customer_id=customer, year=year)
            SupplierRelation.objects.filter(condition).delete()
            self.replaced |= pairs
        SupplierRelation.objects.bulk_create(relations)
        outcome = ChunkOutcome(created=len(relations))
        for row, relation in list(zip(rows, relations, strict=True))[:sample]:
            outcome.changes.append(
                Change(
                    row.number,
                    "create",
                    f"{row.values['customer']} {relation.year}",
                    {"amount": [None, str(relation.amount)]},
                )
            )
        return outcome

    def finish(self) -> None:
        if self.replaced:
            audit_record(
                actor=self.actor,
                action=AuditAction.IMPORT,
                object_type="chains.supplierrelation",
                object_repr=_("Supplier relations"),
                changes={"replaced": [None, len(self.replaced)]},
            )


def supplier_export(target, *, user, filters=None) -> int:
    """Every supplier relation the user reads (the buyers in their part of the archive)."""
    from gongxin.core.tabular.files import write_export

    scope = enterprise_scope(user) if user else Enterprise.objects.all()
    relations = (
        SupplierRelation.objects.filter(customer__in=scope.values("pk"))
        .select_related("customer", "supplier", "node__chain")
        .order_by("customer__uscc", "year", "pk")
    )
    return write_export(
        target,
        title="供应关系",
        columns=SUPPLIER_COLUMNS,
        rows=(
            [
                r.customer.uscc,
                r.customer.name,
                r.year,
                r.supplier.uscc if r.supplier_id else "",
                r.supplier.name if r.supplier_id else r.supplier_name,
                r.supplier_place,
                r.products,
                r.node.chain.code if r.node_id else "",
                r.node.name if r.node_id else "",
                render_amount(r.amount),
                SOURCE_LABELS[r.source],
            ]
            for r in relations.iterator(chunk_size=2000)
        ),
    )
