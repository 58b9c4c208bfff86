"""A chain's structure as an XLSX workbook, the form chain offices keep it in: a sheet of
the chain (code, name, parent chain, description), a sheet of nodes (one a row, each under
its parent by number) and a sheet of supply links. Written from a chain; read back into
the document `loading.chain_structure_load` takes, with every fault reported at its
sheet, row and column, all at once.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from gongxin.chains.choices import NodeKind, Segment
from gongxin.chains.models import Chain, ChainNode, SupplyLink
from gongxin.core.tabular.writing import XlsxWriter

CHAIN_SHEET, NODE_SHEET, LINK_SHEET = "产业链", "环节", "供应关系"
CHAIN_ROWS = ("代码", "名称", "上级产业链代码", "简介")
NODE_HEADERS = (
    "编号",
    "上级编号",
    "环节名称",
    "段",
    "类别",
    "行业代码",
    "关键词",
    "关键环节",
    "卡脖子",
)
LINK_HEADERS = ("供应环节编号", "需求环节编号", "供应环节", "需求环节")
YES, NO = {"是", "√", "y", "yes", "true", "1"}, {"", "否", "n", "no", "false", "0"}
_SPLIT = re.compile(r"[,，、;；\s]+")


def _labels(choices) -> dict[str, str]:
    """Values of a choice by their value and their labels in Chinese and English."""
    found = {}
    for value, label in choices.choices:
        found[value] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                found[str(label).lower()] = value
    return found


def chain_workbook_write(target, chain: Chain) -> None:
    nodes = list(ChainNode.objects.filter(chain=chain).order_by("position", "pk"))
    number = {node.pk: index for index, node in enumerate(_tree_order(nodes), 1)}
    book = XlsxWriter()
    sheet = book.sheet(CHAIN_SHEET, ["项目", "内容"], widths=[16, 60], freeze=False)
    for label, value in zip(
        CHAIN_ROWS,
        (chain.code, chain.name, chain.parent.code if chain.parent_id else "", chain.description),
        strict=True,
    ):
        sheet.append([label, value])
    with translation.override("zh-hans"):
        sheet = book.sheet(
            NODE_SHEET,
            NODE_HEADERS,
            widths=[8, 10, 28, 8, 8, 16, 36, 10, 10],
            required=[0, 2, 3, 4],
        )
        by_pk = {node.pk: node for node in nodes}
        for node in sorted(nodes, key=lambda n: number[n.pk]):
            sheet.append(
                [
                    number[node.pk],
                    number.get(node.parent_id, ""),
                    node.name,
                    str(node.get_segment_display()),
                    str(node.get_kind_display()),
                    "、".join(node.industry_codes),
                    "、".join(node.keywords),
                    "是" if node.key_link else "",
                    "是" if node.bottleneck else "",
                ]
            )
    sheet = book.sheet(LINK_SHEET, LINK_HEADERS, widths=[14, 14, 28, 28], required=[0, 1])
    for a, b in (
        SupplyLink.objects.filter(chain=chain).order_by("pk").values_list("supplier", "customer")
    ):
        sheet.append([number[a], number[b], by_pk[a].name, by_pk[b].name])
    book.save(target)


def chain_workbook_template(target) -> None:
    """An empty workbook to fill in, with one example row per sheet."""
    book = XlsxWriter()
    sheet = book.sheet(CHAIN_SHEET, ["项目", "内容"], widths=[16, 60], freeze=False)
    for label, example in zip(CHAIN_ROWS, ("vr", "VR（虚拟现实）", "electronics", ""), strict=True):
        sheet.append([label, example])
    sheet = book.sheet(
        NODE_SHEET, NODE_HEADERS, widths=[8, 10, 28, 8, 8, 16, 36, 10, 10], required=[0, 2, 3, 4]
    )
    sheet.append([1, "", "上游：核心器件", "上游", "零部件", "", "核心器件", "", ""])
    sheet.append([2, 1, "光学器件", "上游", "零部件", "3976", "光学镜片、光学模组", "是", ""])
    sheet.append([3, "", "中游：整机", "中游", "产品", "", "", "", ""])
    sheet.append([4, 3, "头戴显示设备", "中游", "产品", "3919", "VR一体机、头显", "", ""])
    sheet = book.sheet(LINK_SHEET, LINK_HEADERS, widths=[14, 14, 28, 28], required=[0, 1])
    sheet.append([2, 4, "光学器件", "头戴显示设备"])
    book.save(target)


def _tree_order(nodes: list[ChainNode]) -> Iterator[ChainNode]:
    children: dict[int | None, list[ChainNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def walk(parent):
        for node in children.get(parent, []):
            yield node
            yield from walk(node.pk)

    yield from walk(None)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def chain_workbook_read(fileobj: IO[bytes], *, name: str = "") -> dict[str, Any]:
    """The document of the workbook. Raises ValidationError with every fault found, each
    at its sheet, row and column; nothing is written here."""
    import openpyxl

    try:
        fileobj.seek(0)
        workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ValidationError(
            _("%(name)s cannot be opened as an XLSX workbook (%(error)s).")
            % {"name": name, "error": exc}
        ) from exc
    faults: list[str] = []

    def fault(sheet: str, row: int | None, column: str | None, message: str) -> None:
        where = (
            [name, _("sheet %(s)s") % {"s": sheet}] if name else [_("sheet %(s)s") % {"s": sheet}]
        )
        if row is not None:
            where.append(_("row %(n)d") % {"n": row})
        if column:
            where.append(_("column %(c)s") % {"c": column})
        faults.append(f"{'，'.join(where)}：{message}")

    def rows(sheet_name: str, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
        if sheet_name not in workbook.sheetnames:
            fault(sheet_name, None, None, _("the sheet is missing"))
            return []
        found = []
        sheet_rows = workbook[sheet_name].iter_rows(values_only=True)
        header = [_text(v) for v in next(sheet_rows, ())]
        missing = [h for h in required if h not in header]
        if missing:
            fault(sheet_name, 1, None, _("missing columns: %(c)s") % {"c": "、".join(missing)})
            return []
        for number, values in enumerate(sheet_rows, 2):
            cells = {h: _text(v) for h, v in zip(header, values, strict=False) if h}
            if any(cells.values()):
                found.append((number, cells))
        return found

    document: dict[str, Any] = {"nodes": [], "links": []}
    meta = {}
    if CHAIN_SHEET in workbook.sheetnames:
        for values in workbook[CHAIN_SHEET].iter_rows(min_row=2, values_only=True):
            if values and _text(values[0]):
                meta[_text(values[0])] = _text(values[1] if len(values) > 1 else "")
    else:
        fault(CHAIN_SHEET, None, None, _("the sheet is missing"))
    document["code"], document["name"] = meta.get("代码", ""), meta.get("名称", "")
    document["parent"] = meta.get("上级产业链代码") or None
    document["description"] = meta.get("简介", "")
    for label, key in (("代码", "code"), ("名称", "name")):
        if CHAIN_SHEET in workbook.sheetnames and not document[key]:
            fault(CHAIN_SHEET, None, label, _("missing or empty"))

    segments, kinds = _labels(Segment), _labels(NodeKind)
    numbers: dict[str, int] = {}
    names: dict[str, int] = {}
    flat: list[tuple[int, str, str, dict]] = []
    for row, cells in rows(NODE_SHEET, ("编号", "上级编号", "环节名称", "段", "类别")):
        number, parent, title = (
            cells.get("编号", ""),
            cells.get("上级编号", ""),
            cells.get("环节名称", ""),
        )
        ok = True
        for column, value in (("编号", number), ("环节名称", title)):
            if not value:
                fault(NODE_SHEET, row, column, _("missing or empty"))
                ok = False
        if number in numbers:
            fault(
                NODE_SHEET,
                row,
                "编号",
                _("“%(v)s” repeats row %(r)d") % {"v": number, "r": numbers[number]},
            )
            ok = False
        if title and title in names:
            fault(
                NODE_SHEET,
                row,
                "环节名称",
                _("“%(v)s” repeats row %(r)d") % {"v": title, "r": names[title]},
            )
            ok = False
        segment = segments.get(cells.get("段", "").lower())
        if segment is None:
            fault(
                NODE_SHEET,
                row,
                "段",
                _("“%(v)s” is not one of %(ok)s")
                % {"v": cells.get("段", ""), "ok": "上游、中游、下游"},
            )
            ok = False
        kind = kinds.get(cells.get("类别", "").lower())
        if kind is None:
            fault(
                NODE_SHEET,
                row,
                "类别",
                _("“%(v)s” is not one of %(ok)s")
                % {"v": cells.get("类别", ""), "ok": "材料、零部件、产品、装备、服务"},
            )
            ok = False
        codes = [c for c in _SPLIT.split(cells.get("行业代码", "")) if c]
        wrong = [c for c in codes if not re.fullmatch(r"\d{2,4}", c)]
        if wrong:
            fault(
                NODE_SHEET,
                row,
                "行业代码",
                _("not GB/T 4754-2017 codes: %(c)s") % {"c": "、".join(wrong)},
            )
            ok = False
        flags = {}
        for column, key in (("关键环节", "key_link"), ("卡脖子", "bottleneck")):
            value = cells.get(column, "").lower()
            if value not in YES | NO:
                fault(
                    NODE_SHEET,
                    row,
                    column,
                    _("write 是 or leave it empty, not “%(v)s”") % {"v": value},
                )
                ok = False
            flags[key] = value in YES
        if number:
            numbers.setdefault(number, row)
        if title:
            names.setdefault(title, row)
        if ok:
            flat.append(
                (
                    row,
                    number,
                    parent,
                    {
                        "key": number,
                        "name": title,
                        "segment": segment,
                        "kind": kind,
                        "industry_codes": codes,
                        "keywords": list(
                            dict.fromkeys(k for k in _SPLIT.split(cells.get("关键词", "")) if k)
                        ),
                        "children": [],
                        **flags,
                    },
                )
            )
    by_number = {number: node for _row, number, _parent, node in flat}
    for row, number, parent, node in flat:
        if not parent:
            document["nodes"].append(node)
        elif parent not in numbers:
            fault(NODE_SHEET, row, "上级编号", _("no node numbered “%(v)s”") % {"v": parent})
        elif parent == number:
            fault(NODE_SHEET, row, "上级编号", _("a node cannot be its own parent"))
        elif parent in by_number:
            by_number[parent]["children"].append(node)
    # A node lies in its parent's segment; one whose parents loop back to it never
    # reaches the top.
    reached: set[str] = set()

    def mark(nodes, segment=None):
        for node in nodes:
            reached.add(node["key"])
            node["segment"] = segment or node["segment"]
            mark(node["children"], node["segment"])

    mark(document["nodes"])
    for row, number, parent, _node in flat:
        if number not in reached and parent in by_number:
            fault(NODE_SHEET, row, "上级编号", _("its parents lead back to it"))
    for row, cells in rows(LINK_SHEET, LINK_HEADERS[:2]):
        link = {}
        for column, end in (("供应环节编号", "from"), ("需求环节编号", "to")):
            value = cells.get(column, "")
            if value not in numbers:
                fault(LINK_SHEET, row, column, _("no node numbered “%(v)s”") % {"v": value})
            link[end] = value
        if len(link) == 2 and link["from"] == link["to"]:
            fault(LINK_SHEET, row, None, _("a node cannot supply itself"))
        document["links"].append(link)
    workbook.close()
    if faults:
        raise ValidationError(faults)
    return document
