"""A chain's structure as an XLSX workbook: exported, read back into the same chain, and
a bad workbook refused with every fault at its sheet, row and column."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongxin.chains.loading import chain_structure_dump
from gongxin.chains.models import Chain
from gongxin.chains.tests.test_views import build_chain
from gongxin.chains.workbook import chain_workbook_template
from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _shape(document):
    """A document without its keys (numbers in XLSX, ids in JSON)."""

    def nodes(items):
        return [
            {k: v for k, v in n.items() if k not in ("key", "children")}
            | {"children": nodes(n["children"])}
            for n in items
        ]

    names = {}

    def index(items):
        for n in items:
            names[n["key"]] = n["name"]
            index(n["children"])

    index(document["nodes"])
    return (
        nodes(document["nodes"]),
        sorted((names[link["from"]], names[link["to"]]) for link in document["links"]),
        document["description"],
    )


@pytest.fixture
def staff(city, client):
    user = UserFactory(role=Role.STAFF)
    client.force_login(user)
    return user


def test_export_then_import_gives_the_same_structure(staff, client):
    chain = build_chain("vr", leaves=2, placed=1)
    leaf = chain.nodes.filter(parent__isnull=False).first()
    leaf.industry_codes, leaf.keywords, leaf.key_link = ["3976"], ["光学", "透镜"], True
    leaf.save()
    chain.description = "虚拟现实"
    chain.save()
    exported = client.get(reverse("chains:chain_workbook", args=[chain.code]))
    assert exported.status_code == 200
    book = load_workbook(io.BytesIO(exported.content))
    assert book.sheetnames == ["产业链", "环节", "供应关系"]
    rows = list(book["环节"].iter_rows(values_only=True))
    assert rows[0][:5] == ("编号", "上级编号", "环节名称", "段", "类别")
    assert rows[1][:5] == (1, None, "vr-upstream", "上游", "产品")
    # As another chain: change its code and name in the first sheet.
    book["产业链"]["B2"], book["产业链"]["B3"] = "vr2", "VR副本"
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "结构.xlsx"
    response = client.post(reverse("chains:chain_import"), {"file": upload})
    assert response.status_code == 302
    copy = Chain.objects.get(code="vr2")
    assert _shape(chain_structure_dump(copy)) == _shape(chain_structure_dump(chain))


def test_every_fault_of_a_workbook_is_named_and_nothing_is_written(staff, client):
    upload = io.BytesIO()
    chain_workbook_template(upload)
    book = load_workbook(upload)
    nodes = book["环节"]
    nodes["D3"] = "上下游"  # row 3, 段
    nodes["B5"] = 9  # row 5, 上级编号: no node 9
    nodes["H4"] = "可能"  # row 4, 关键环节
    nodes.append([2, "", "光学器件", "上游", "零部件", "39x", "", "", ""])  # repeats row 3
    book["供应关系"].append([4, 7])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "坏文件.xlsx"
    count = Chain.objects.count()
    response = client.post(reverse("chains:chain_import"), {"file": buffer})
    assert response.status_code == 422
    errors = response.context["errors"]
    expected = [
        ("环节", 3, "段", "上下游"),
        ("环节", 4, "关键环节", "可能"),
        ("环节", 6, "编号", "2"),
        ("环节", 6, "环节名称", "光学器件"),
        ("环节", 6, "行业代码", "39x"),
        ("环节", 5, "上级编号", "9"),
        ("供应关系", 3, "需求环节编号", "7"),
    ]
    assert len(errors) == len(expected), errors
    for (sheet, row, column, value), error in zip(expected, errors, strict=True):
        for part in ("坏文件.xlsx", sheet, f"{row}", column, value):
            assert part in error, (part, error)
    assert Chain.objects.count() == count


def test_a_json_file_and_a_broken_one(staff, client):
    chain = build_chain("vr", leaves=1, placed=0)
    document = client.get(reverse("chains:chain_structure", args=[chain.code])).content
    upload = io.BytesIO(document)
    upload.name = "结构.json"
    response = client.post(reverse("chains:chain_import"), {"file": upload})
    assert response.status_code == 422  # the chain exists
    assert "vr" in response.context["errors"][0]
    renamed = document.replace(b'"vr"', b'"vr-json"', 1).replace(
        chain.name.encode(), "副本".encode(), 1
    )
    upload = io.BytesIO(renamed)
    upload.name = "结构.json"
    assert client.post(reverse("chains:chain_import"), {"file": upload}).status_code == 302
    assert Chain.objects.filter(code="vr-json").exists()
    broken = io.BytesIO(b'{"code": "x",\n "name": }')
    broken.name = "坏.json"
    response = client.post(reverse("chains:chain_import"), {"file": broken})
    assert response.status_code == 422
    assert "坏.json" in response.context["errors"][0] and "2" in response.context["errors"][0]


def test_only_division_staff_import_chains(city, client):
    client.force_login(UserFactory(role=Role.CHAIN_OFFICE))
    assert client.get(reverse("chains:chain_import")).status_code == 403
    template = client.get(reverse("chains:chain_import_template"))
    assert load_workbook(io.BytesIO(template.content)).sheetnames == ["产业链", "环节", "供应关系"]
