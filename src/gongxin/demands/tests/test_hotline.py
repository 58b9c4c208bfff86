"""Import of 12345 hotline exports: tickets become demands once; bad rows are named by row
and column and nothing is written."""

from __future__ import annotations

import io

import pytest

from gongxin.core.tabular.importing import run_import
from gongxin.demands.choices import Source
from gongxin.demands.imports import HotlineImporter
from gongxin.demands.models import Demand
from gongxin.demands.tests.test_loop import people  # noqa: F401  (fixture)
from gongxin.enterprises.tests.tabular_files import xlsx_bytes

pytestmark = pytest.mark.django_db
HEADERS = ["工单编号", "来电时间", "企业名称", "诉求标题", "诉求内容", "诉求类别", "紧急程度"]


def _run(rows, actor):
    data = xlsx_bytes([HEADERS, *rows])
    return run_import(
        HotlineImporter(actor=actor), io.BytesIO(data), name="12345.xlsx", dry_run=False
    )


def test_tickets_become_demands_once(people):  # noqa: F811
    name, code = people["_enterprise"].name, people["_enterprise"].uscc
    rows = [
        ["GD2026093001", "2026-09-30", name, "缺工", "国庆后急需普工", "", "紧急"],
        ["GD2026093002", "2026-09-30", code, "贷款", "续贷困难", "融资", ""],
    ]
    result = _run(rows, people["desk"])
    assert result.ok and result.created == 2, result.errors
    first = Demand.objects.get(reference="GD2026093001")
    assert (first.source, first.category, first.urgency) == (Source.HOTLINE, "labour", "urgent")
    assert first.registered_by == people["desk"]
    assert first.dispatch_due.date().isoformat() == "2026-10-08"  # 1 working day after 30 Sep
    again = _run(rows, people["desk"])
    assert again.ok and (again.created, again.unchanged) == (0, 2)
    assert Demand.objects.count() == 2


def test_bad_rows_are_named_and_nothing_is_written(people):  # noqa: F811
    name = people["_enterprise"].name
    result = _run(
        [
            ["GD1", "2026-09-30", name, "缺工", "急需普工", "", ""],
            ["GD2", "2026-13-01", name, "贷款", "续贷", "", ""],  # no such date
            ["GD3", "2026-09-30", "不存在的公司", "用地", "扩建", "", ""],
            ["GD1", "2026-09-30", name, "缺工", "重复", "", ""],  # repeats row 2
            ["GD5", "2026-09-30", name, "", "无标题", "财务", ""],  # no title, unknown category
        ],
        people["desk"],
    )
    assert not result.ok
    found = {(e.row, e.column) for e in result.errors}
    assert {
        (3, "来电时间"),
        (4, "企业名称"),
        (5, "工单编号"),
        (6, "诉求标题"),
        (6, "诉求类别"),
    } <= found
    assert not Demand.objects.exists()
