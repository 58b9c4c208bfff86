"""A chain's structure read from and written to its JSON document."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gongxin.chains.loading import chain_structure_dump, chain_structure_load
from gongxin.chains.models import Chain, ChainNode, SupplyLink


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def node(key, name, segment, kind="product", children=(), **extra):
    return {
        "key": key,
        "name": name,
        "segment": segment,
        "kind": kind,
        "children": list(children),
        **extra,
    }


DOCUMENT = {
    "code": "vr",
    "name": "VR（虚拟现实）",
    "parent": None,
    "description": "硬件、内容与应用",
    "nodes": [
        node(
            "up",
            "上游：元器件",
            "upstream",
            "component",
            [
                node("lens", "光学镜片", "upstream", "component", industry_codes=["3976"]),
                node("screen", "微显示屏", "upstream", "component", keywords=["Micro OLED"]),
            ],
        ),
        node("mid", "中游：整机", "midstream", children=[node("hmd", "头戴显示设备", "midstream")]),
        node(
            "down",
            "下游：应用",
            "downstream",
            "service",
            [node("edu", "VR教育", "downstream", "service", key_link=True, bottleneck=True)],
        ),
    ],
    "links": [
        {"from": "lens", "to": "hmd"},
        {"from": "screen", "to": "hmd"},
        {"from": "hmd", "to": "edu"},
    ],
}


def test_load_then_dump_gives_the_same_chain(db):
    chain = chain_structure_load(copy.deepcopy(DOCUMENT))
    assert ChainNode.objects.filter(chain=chain).count() == 7
    assert SupplyLink.objects.filter(chain=chain).count() == 3
    edu = ChainNode.objects.get(name="VR教育")
    assert (edu.parent.name, edu.key_link, edu.bottleneck) == ("下游：应用", True, True)
    assert ChainNode.objects.get(name="光学镜片").industry_codes == ["3976"]

    dumped = chain_structure_dump(chain)
    dumped["code"], dumped["name"] = "vr2", "VR（副本）"
    again = chain_structure_load(dumped)
    first, second = chain_structure_dump(chain), chain_structure_dump(again)

    def shape(document):
        names = {}

        def walk(nodes):
            for n in nodes:
                names[n["key"]] = n["name"]
                walk(n["children"])

        walk(document["nodes"])
        strip = lambda ns: [  # noqa: E731
            {**{k: v for k, v in n.items() if k != "key"}, "children": strip(n["children"])}
            for n in ns
        ]
        links = sorted((names[link["from"]], names[link["to"]]) for link in document["links"])
        return strip(document["nodes"]), links

    assert shape(first) == shape(second)


def broken(path, value):
    document = copy.deepcopy(DOCUMENT)
    target = document
    for part in path[:-1]:
        target = target[part]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (broken(["name"], ""), "name: missing or empty"),
        (broken(["nodes", 0, "children", 1, "name"], None), "nodes[0].children[1].name: missing"),
        (broken(["nodes", 1, "segment"], "sideways"), "nodes[1].segment: “sideways” is not one of"),
        (
            broken(["nodes", 2, "children", 0, "key"], "lens"),
            "nodes[2].children[0].key: “lens” repeats nodes[0].children[0]",
        ),
        (broken(["nodes", 1, "name"], "光学镜片"), "nodes[1].name: “光学镜片” repeats"),
        (broken(["links", 1, "to"], "nowhere"), "links[1].to: no node with the key “nowhere”"),
        (broken(["parent"], "electronics"), "parent: no chain electronics"),
        (
            broken(["nodes", 0, "keywords"], "镜片"),
            "nodes[0].keywords: a list of texts is expected",
        ),
        (
            broken(["links"], [*DOCUMENT["links"], {"from": "edu", "to": "lens"}]),
            "links: the links close a cycle: ",
        ),
    ],
)
def test_faults_are_reported_at_their_place_and_nothing_is_written(db, document, message):
    with pytest.raises(ValidationError) as info:
        chain_structure_load(document)
    assert message in info.value.messages[0]
    assert not Chain.objects.exists() and not ChainNode.objects.exists()
