"""Import of supplier relations: a buyer's purchases of a year replace what was recorded for
it that year; faults named by row and column, nothing written; the export imports back."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from gongxin.chains.imports import SupplierImporter, supplier_export
from gongxin.chains.models import Chain, ChainNode, SupplierRelation
from gongxin.core.choices import Role
from gongxin.core.tabular.importing import run_import
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.enterprises.tests.tabular_files import csv_bytes

pytestmark = pytest.mark.django_db
HEADERS = [
    "采购企业信用代码",
    "年度",
    "供应商信用代码",
    "供应商名称",
    "供应商所在地",
    "产业链代码",
    "环节名称",
    "年采购额（万元）",
    "数据来源",
]


@pytest.fixture
def world(city):
    chain = Chain.objects.create(code="ev", name="新能源汽车")
    node = ChainNode.objects.create(chain=chain, name="电池", segment="upstream", kind="component")
    office = UserFactory(role=Role.CHAIN_OFFICE)
    chain.office_members.add(office)
    buyer, local = EnterpriseFactory(name="整车厂"), EnterpriseFactory(name="本地电池厂")
    return chain, node, office, buyer, local


def _run(lines, actor, dry_run=False):
    return run_import(
        SupplierImporter(actor=actor),
        io.BytesIO(csv_bytes([HEADERS, *lines])),
        name="供应关系.csv",
        dry_run=dry_run,
    )


def test_a_years_purchases_replace_the_recorded_ones(world):
    chain, node, office, buyer, local = world
    SupplierRelation.objects.create(customer=buyer, supplier=local, year=2025, amount=D(1))
    kept = SupplierRelation.objects.create(customer=buyer, supplier=local, year=2024, amount=D(7))
    result = _run(
        [
            [buyer.uscc, 2025, local.uscc, "", "", "ev", "电池", "300", "税务发票"],
            [buyer.uscc, 2025, "", "深圳外地电池公司", "广东省深圳市", "ev", "电池", "700", ""],
        ],
        office,
    )
    assert result.ok, result.errors
    rows = SupplierRelation.objects.filter(customer=buyer, year=2025).order_by("amount")
    assert [(r.supplier, r.supplier_name, r.node, r.amount, r.source) for r in rows] == [
        (local, "", node, D(3_000_000), "invoice"),
        (None, "深圳外地电池公司", node, D(7_000_000), "survey"),
    ]
    assert SupplierRelation.objects.filter(pk=kept.pk).exists()  # another year: kept


def test_faults_are_named_and_nothing_is_written(world):
    chain, node, office, buyer, local = world
    other = Chain.objects.create(code="tx", name="纺织")  # not the office's chain
    ChainNode.objects.create(chain=other, name="纱线", segment="upstream", kind="material")
    result = _run(
        [
            [buyer.uscc, 2025, local.uscc, "", "", "ev", "电池", "300", ""],
            [buyer.uscc, 2025, "", "", "", "", "", "100", ""],  # no supplier
            [buyer.uscc, 2025, buyer.uscc, "", "", "", "", "100", ""],  # itself
            [buyer.uscc, 2025, local.uscc, "", "", "tx", "纱线", "100", ""],  # not its chain
            [buyer.uscc, 2025, local.uscc, "", "", "ev", "", "100", ""],  # chain without node
            [buyer.uscc, 1990, local.uscc, "", "", "", "", "0", "问卷"],
        ],
        office,
    )
    assert not result.ok
    found = {(e.row, e.column) for e in result.errors}
    assert {
        (3, "供应商名称"),
        (4, "供应商信用代码"),
        (5, "环节名称"),
        (6, "环节名称"),
        (7, "年度"),
        (7, "年采购额（万元）"),
        (7, "数据来源"),
    } <= found
    assert not SupplierRelation.objects.exists()


def _relations() -> list[str]:
    fields = ("customer", "supplier", "supplier_name", "supplier_place", "node", "year")
    rows = SupplierRelation.objects.values_list(*fields, "amount", "source")
    return sorted(map(repr, rows))


def test_the_export_imports_back_unchanged(world):
    chain, node, office, buyer, local = world
    _run(
        [
            [buyer.uscc, 2025, local.uscc, "", "", "ev", "电池", "300.5", "企业填报"],
            [buyer.uscc, 2025, "", "外地公司", "上海市", "", "", "12", ""],
        ],
        office,
    )
    before = _relations()
    target = io.BytesIO()
    assert supplier_export(target, user=office) == 2
    target.seek(0)
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[1][:3] == (buyer.uscc, buyer.name, 2025)
    target.seek(0)
    result = run_import(SupplierImporter(actor=office), target, name="导出.xlsx", dry_run=False)
    assert result.ok, result.errors
    after = _relations()
    assert after == before


def test_who_imports_them(city, client):
    from django.urls import reverse

    client.force_login(UserFactory(role=Role.LEADER))
    assert client.get(reverse("import", args=["suppliers"])).status_code in (403, 404)
    client.force_login(UserFactory(role=Role.CHAIN_OFFICE))
    assert client.get(reverse("import", args=["suppliers"])).status_code == 200
