"""Import files for tests, built from rows: CSV in any encoding, tab-separated text, XLSX.

Small and deterministic, so each test shows the rows it imports; `city_for_module` loads
the demo city once per test module (inside a transaction rolled back at the module's end).
"""

from __future__ import annotations

import io

import openpyxl

from gongxin.core.tests.module_data import built_for_module
from gongxin.enterprises.columns import ENTERPRISE_COLUMNS, FIGURE_COLUMNS
from gongxin.enterprises.tests.factories import make_uscc

HEADERS = {c.key: c.header for c in ENTERPRISE_COLUMNS}
FIGURE_HEADERS = {c.key: c.header for c in FIGURE_COLUMNS}


def enterprise_row(n: int, **values) -> dict[str, object]:
    """Enterprise n as an official would type it (capital in 万元, names of regions)."""
    row = {
        "uscc": make_uscc(1000 + n),
        "name": f"南昌测试{n}号精密制造有限公司",
        "legal_representative": "李晓明",
        "established_on": "2015-06-01",
        "registered_capital": "1,234.5678",
        "address": f"南昌县小蓝经开区汇仁大道{n}号",
        "district": "南昌县",
        "park": "小蓝经开区",
        "industry": "C3670",
        "size_class": "中型",
        "above_scale": "是",
        "status": "在营",
        "main_products": "汽车零部件",
        "business_scope": "汽车零部件及配件制造；金属制品销售",
        "service_officer": "",
    }
    row.update(values)
    return row


def figure_row(code: str, **values) -> dict[str, object]:
    row = {
        "uscc": code,
        "name": "",
        "period": "2024-03",
        "output_value": "500",
        "revenue": "480.5",
        "profit": "-12.25",
        "tax": "15",
        "employees": "320",
        "electricity": "42.5",
    }
    row.update(values)
    return row


def table(rows: list[dict], headers: dict[str, str] = HEADERS) -> list[list]:
    """A header row and the rows, with the columns of the first row."""
    keys = list(rows[0]) if rows else list(headers)
    return [[headers[k] for k in keys]] + [[r.get(k, "") for k in keys] for r in rows]


def csv_bytes(lines: list[list], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    out = []
    for line in lines:
        cells = []
        for cell in line:
            text = "" if cell is None else str(cell)
            if any(ch in text for ch in (delimiter, '"', "\n", "\r")):
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        out.append(delimiter.join(cells))
    return ("\r\n".join(out) + "\r\n").encode(encoding)


def xlsx_bytes(lines: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for line in lines:
        book.active.append(line)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def encode(lines: list[list], fmt: str) -> tuple[bytes, str]:
    """The file and its name: fmt is an encoding for CSV, "tsv" or "xlsx"."""
    if fmt == "xlsx":
        return xlsx_bytes(lines), "企业.xlsx"
    if fmt == "tsv":
        return csv_bytes(lines, delimiter="\t"), "企业.txt"
    return csv_bytes(lines, encoding=fmt), "企业.csv"


def city_for_module(django_db_blocker):
    """Generator for a module-scoped fixture: the demo city, loaded once, rolled back after."""
    from gongxin.core.tests.factories import city_load

    yield from built_for_module(django_db_blocker, city_load)
