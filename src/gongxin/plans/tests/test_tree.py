"""Corrections to a parsed plan before it is saved: each one, each refusal, the numbers
after the change and ids that stay unique."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from gongxin.plans import tree
from gongxin.plans.parser import cn_number, marker_text, parse_text
from gongxin.plans.tree import TreeError

PLAN = (
    "一、总体要求\n"
    "（一）指导思想。坚持稳中求进。\n"
    "（二）主要目标。到年底完成任务。\n"
    "二、重点任务\n"
    "（一）推进技改。实施项目；加快进度！\n"
    "1.开展诊断。组织专家。\n"
    "2.推广应用。扩大覆盖。\n"
    "（二）培育企业。加大力度。\n"
    "（三）建设园区。完善设施。\n"
    "三、保障措施\n"
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def draft(text: str = PLAN) -> dict:
    return tree.number_ids(parse_text(text).as_dict())


def outline(nodes: list[dict]) -> list[tuple]:
    """(id, marker, title, children) — the ids show which item went where."""
    return [
        (node["id"], node["marker"], node["title"], outline(node.get("children", [])))
        for node in nodes
    ]


def find(data: dict, node_id: str) -> dict:
    return next(node for node in tree.walk(data) if node["id"] == node_id)


# The plan as parsed, for reference:
ORIGINAL = [
    (
        "n1",
        "一、",
        "总体要求",
        [("n2", "（一）", "指导思想", []), ("n3", "（二）", "主要目标", [])],
    ),
    (
        "n4",
        "二、",
        "重点任务",
        [
            (
                "n5",
                "（一）",
                "推进技改",
                [("n6", "1.", "开展诊断", []), ("n7", "2.", "推广应用", [])],
            ),
            ("n8", "（二）", "培育企业", []),
            ("n9", "（三）", "建设园区", []),
        ],
    ),
    ("n10", "三、", "保障措施", []),
]


def test_number_ids_numbers_depth_first():
    data = draft()
    assert outline(data["tasks"]) == ORIGINAL
    assert data["next_id"] == 11
    assert [node["id"] for node in tree.walk(data)] == [f"n{i}" for i in range(1, 11)]


def test_number_ids_of_an_empty_plan():
    assert tree.number_ids({"tasks": []}) == {"tasks": [], "next_id": 1, "continuous": []}


# ---------------------------------------------------------------------------------------
# Retitle


def test_retitle_collapses_spaces():
    data = draft()
    node = tree.retitle(data, "n5", "  推进  技术改造\n")
    assert node["title"] == "推进 技术改造"
    assert find(data, "n5")["text"] == "推进技改。实施项目；加快进度！"  # the text is not touched


def test_retitle_takes_two_hundred_characters():
    data = draft()
    tree.retitle(data, "n5", "改" * 200)
    assert find(data, "n5")["title"] == "改" * 200


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "A task needs a title."),
        (" \u3000\n", "A task needs a title."),
        ("改" * 201, "A title has at most 200 characters; this one has 201."),
    ],
)
def test_retitle_refuses(title, message):
    data = draft()
    with pytest.raises(TreeError) as refused:
        tree.retitle(data, "n5", title)
    assert str(refused.value) == message
    assert find(data, "n5")["title"] == "推进技改"


# ---------------------------------------------------------------------------------------
# Merge


def test_merge_appends_the_text_to_the_item_before_and_renumbers():
    data = draft()
    kept = tree.merge(data, "n8")
    assert kept["id"] == "n5"
    assert kept["text"] == "推进技改。实施项目；加快进度！\n培育企业。加大力度。"
    assert kept["title"] == "推进技改"
    assert outline(data["tasks"])[1] == (
        "n4",
        "二、",
        "重点任务",
        [
            (
                "n5",
                "（一）",
                "推进技改",
                [("n6", "1.", "开展诊断", []), ("n7", "2.", "推广应用", [])],
            ),
            ("n9", "（二）", "建设园区", []),
        ],
    )
    assert find(data, "n9")["number"] == "二"


def test_merge_moves_the_sub_items_after_the_previous_ones():
    data = draft()
    tree.merge(data, "n4")
    (first, second) = outline(data["tasks"])
    assert [child[0] for child in first[3]] == ["n2", "n3", "n5", "n8", "n9"]
    moved = ORIGINAL[1][3][0]
    # the sub-item is numbered on after the previous ones and keeps its own sub-items
    assert first[3][2] == (moved[0], "（三）", moved[2], moved[3])
    assert second == ("n10", "二、", "保障措施", [])
    assert find(data, "n1")["text"] == "总体要求\n重点任务"


def test_merge_renumbers_the_sub_items_it_brings():
    data = draft()
    tree.merge(data, "n4")
    assert [child["marker"] for child in find(data, "n1")["children"]] == [
        "（一）",
        "（二）",
        "（三）",
        "（四）",
        "（五）",
    ]


def test_merge_refuses_the_first_item_of_a_level():
    data = draft()
    for node_id in ("n1", "n2", "n6"):
        with pytest.raises(TreeError, match="The first item of its level has no item before it"):
            tree.merge(data, node_id)
    assert outline(data["tasks"]) == ORIGINAL


# ---------------------------------------------------------------------------------------
# Split


def test_sentences_end_at_full_stops_semicolons_marks_and_line_breaks():
    assert tree.sentences("推进技改。实施项目；加快进度！完成了吗？\n完成验收“好。”再说") == [
        "推进技改。",
        "实施项目；",
        "加快进度！",
        "完成了吗？",
        "完成验收“好。”",
        "再说",
    ]
    assert tree.sentences("") == []
    assert tree.sentences("没有句号") == ["没有句号"]


def test_split_makes_a_new_item_after_it_from_the_chosen_sentence():
    data = draft()
    new = tree.split(data, "n5", 1)  # keep one sentence, the rest is a new item
    assert new["id"] == "n11" and data["next_id"] == 12
    assert (new["title"], new["text"], new["style"], new["children"]) == (
        "实施项目",
        "实施项目；加快进度！",
        "cn_paren",
        [],
    )
    assert find(data, "n5")["text"] == "推进技改。"
    assert outline(find(data, "n4")["children"]) == [
        ("n5", "（一）", "推进技改", [("n6", "1.", "开展诊断", []), ("n7", "2.", "推广应用", [])]),
        ("n11", "（二）", "实施项目", []),
        ("n8", "（三）", "培育企业", []),
        ("n9", "（四）", "建设园区", []),
    ]
    assert [node["number"] for node in find(data, "n4")["children"]] == ["一", "二", "三", "四"]


def test_split_at_the_last_sentence():
    data = draft()
    new = tree.split(data, "n5", 2)
    assert find(data, "n5")["text"] == "推进技改。实施项目；"
    assert (new["title"], new["text"]) == ("加快进度", "加快进度！")


def test_split_at_a_line_break_and_twice_gives_new_ids():
    data = draft("（一）推进技改。实施项目。\n（二）培育企业。\n")
    tree.merge(data, "n2")
    assert find(data, "n1")["text"] == "推进技改。实施项目。\n培育企业。"
    first = tree.split(data, "n1", 2)
    second = tree.split(data, "n1", 1)
    assert (first["id"], second["id"]) == ("n3", "n4")
    assert [(node["id"], node["marker"], node["text"]) for node in data["tasks"]] == [
        ("n1", "（一）", "推进技改。"),
        ("n4", "（二）", "实施项目。"),
        ("n3", "（三）", "培育企业。"),
    ]


@pytest.mark.parametrize(
    ("node_id", "at", "message"),
    [
        ("n1", 1, "This item has one sentence only; there is nothing to split."),
        ("n10", 1, "This item has one sentence only; there is nothing to split."),
        ("n5", 0, "Choose a sentence from 2 to 3 to start the new item."),
        ("n5", 3, "Choose a sentence from 2 to 3 to start the new item."),
        ("n5", -1, "Choose a sentence from 2 to 3 to start the new item."),
    ],
)
def test_split_refuses(node_id, at, message):
    data = draft()
    with pytest.raises(TreeError) as refused:
        tree.split(data, node_id, at)
    assert str(refused.value) == message
    assert outline(data["tasks"]) == ORIGINAL
    assert data["next_id"] == 11


# ---------------------------------------------------------------------------------------
# Indent and outdent


def test_indent_makes_an_item_the_last_sub_item_of_the_one_before():
    data = draft()
    moved = tree.indent(data, "n8")
    assert (moved["style"], moved["marker"], moved["number"]) == ("ar_dot", "3.", "3")
    assert outline(find(data, "n4")["children"]) == [
        (
            "n5",
            "（一）",
            "推进技改",
            [
                ("n6", "1.", "开展诊断", []),
                ("n7", "2.", "推广应用", []),
                ("n8", "3.", "培育企业", []),
            ],
        ),
        ("n9", "（二）", "建设园区", []),
    ]


def test_indent_under_an_item_without_sub_items_takes_the_style_used_elsewhere():
    data = draft()
    moved = tree.indent(data, "n3")
    # （一）items elsewhere in the plan have 1. sub-items.
    assert moved["style"] == "ar_dot"
    assert [child["id"] for child in find(data, "n2")["children"]] == ["n3"]
    assert [child["id"] for child in find(data, "n1")["children"]] == ["n2"]


def test_indent_in_a_plan_without_deeper_levels_takes_the_next_conventional_style():
    data = draft("一、推进技改。实施项目。\n二、培育企业。加大力度。\n三、建设园区。完善设施。\n")
    moved = tree.indent(data, "n3")
    assert moved["style"] == "cn_paren"
    assert [node["marker"] for node in data["tasks"]] == ["一、", "二、"]


def test_an_item_indented_as_the_first_sub_item_is_number_one():
    data = draft("一、推进技改。实施项目。\n二、培育企业。加大力度。\n三、建设园区。完善设施。\n")
    moved = tree.indent(data, "n3")
    assert (moved["marker"], moved["number"]) == ("（一）", "一")


def test_indent_keeps_sub_items_one_level_below():
    data = draft(
        "（一）推进技改。实施项目。\n"
        "1.开展诊断。组织专家。\n"
        "（二）培育企业。加大力度。\n"
        "1.培育龙头。引进项目。\n"
    )
    moved = tree.indent(data, "n3")
    assert moved["style"] == "ar_dot"
    (child,) = moved["children"]
    assert child["style"] != moved["style"]


def test_indent_refuses_the_first_item_of_a_level():
    data = draft()
    for node_id in ("n1", "n5", "n6"):
        with pytest.raises(TreeError, match="The first item of its level cannot go down a level"):
            tree.indent(data, node_id)
    assert outline(data["tasks"]) == ORIGINAL


def test_outdent_makes_an_item_the_sibling_after_its_parent():
    data = draft()
    moved = tree.outdent(data, "n7")
    assert (moved["style"], moved["marker"], moved["number"]) == ("cn_paren", "（二）", "二")
    assert outline(find(data, "n4")["children"]) == [
        ("n5", "（一）", "推进技改", [("n6", "1.", "开展诊断", [])]),
        ("n7", "（二）", "推广应用", []),
        ("n8", "（三）", "培育企业", []),
        ("n9", "（四）", "建设园区", []),
    ]


def test_outdent_to_the_top_level():
    data = draft()
    tree.outdent(data, "n3")
    assert [(node["id"], node["marker"]) for node in data["tasks"]] == [
        ("n1", "一、"),
        ("n3", "二、"),
        ("n4", "三、"),
        ("n10", "四、"),
    ]


def test_indent_then_outdent_gives_the_plan_back():
    data = draft()
    tree.indent(data, "n8")
    tree.outdent(data, "n8")
    assert outline(data["tasks"]) == ORIGINAL


def test_outdent_of_the_first_sub_item_renumbers_the_rest_from_one():
    data = draft()
    tree.outdent(data, "n6")
    assert [(child["id"], child["marker"]) for child in find(data, "n5")["children"]] == [
        ("n7", "1.")
    ]


def test_outdent_refuses_a_top_level_item():
    data = draft()
    with pytest.raises(TreeError, match="The item is already at the top level."):
        tree.outdent(data, "n4")
    assert outline(data["tasks"]) == ORIGINAL


# ---------------------------------------------------------------------------------------
# Remove


def test_remove_takes_the_sub_items_along_and_renumbers_the_items_after():
    data = draft()
    assert tree.remove(data, "n4") is None
    assert outline(data["tasks"]) == [ORIGINAL[0], ("n10", "二、", "保障措施", [])]
    assert find(data, "n10")["number"] == "二"
    assert {node["id"] for node in tree.walk(data)} == {"n1", "n2", "n3", "n10"}


def test_remove_a_sub_item():
    data = draft()
    tree.remove(data, "n8")
    assert outline(find(data, "n4")["children"]) == [
        ORIGINAL[1][3][0],
        ("n9", "（二）", "建设园区", []),
    ]


def test_remove_the_first_item_renumbers_from_one():
    data = draft()
    tree.remove(data, "n1")
    assert [node["marker"] for node in data["tasks"]] == ["一、", "二、"]


def test_a_removed_id_is_not_given_again():
    data = draft()
    tree.remove(data, "n10")
    new = tree.split(data, "n5", 1)
    assert new["id"] == "n11"


# ---------------------------------------------------------------------------------------
# An item that is gone


@pytest.mark.parametrize(
    "change",
    [
        lambda data: tree.retitle(data, "n99", "标题"),
        lambda data: tree.merge(data, "n99"),
        lambda data: tree.split(data, "n99", 1),
        lambda data: tree.indent(data, "n99"),
        lambda data: tree.outdent(data, "n99"),
        lambda data: tree.remove(data, "n99"),
    ],
    ids=["retitle", "merge", "split", "indent", "outdent", "remove"],
)
def test_each_correction_of_an_item_no_longer_there_is_refused(change):
    data = draft()
    with pytest.raises(TreeError, match="That item is no longer in the plan; reload the page."):
        change(data)
    assert outline(data["tasks"]) == ORIGINAL


def test_a_removed_item_cannot_be_changed_again():
    data = draft()
    tree.remove(data, "n8")
    with pytest.raises(TreeError, match="no longer in the plan"):
        tree.merge(data, "n8")


# ---------------------------------------------------------------------------------------
# Any sequence of corrections

CHANGES = ["retitle", "merge", "split", "indent", "outdent", "remove"]


def _sentences(data: dict) -> Counter:
    return Counter(
        sentence.strip()
        for node in tree.walk(data)
        for sentence in tree.sentences(node.get("text", ""))
    )


@given(
    st.lists(
        st.tuples(
            st.sampled_from(CHANGES),
            st.integers(min_value=0, max_value=40),
            st.integers(min_value=-1, max_value=4),
        ),
        max_size=12,
    )
)
@settings(max_examples=60, deadline=None)
def test_any_sequence_of_corrections_keeps_ids_unique_and_markers_true(changes):
    data = draft()
    for change, pick, at in changes:
        nodes = list(tree.walk(data))
        if not nodes:
            break
        node = nodes[pick % len(nodes)]
        before = _sentences(data)
        count = len(nodes)
        try:
            if change == "retitle":
                tree.retitle(data, node["id"], f"标题{pick}")
            elif change == "split":
                tree.split(data, node["id"], at)
            elif change == "remove":
                removed = _sentences({"tasks": [node]})
                tree.remove(data, node["id"])
            else:
                getattr(tree, change)(data, node["id"])
        except TreeError:
            assert _sentences(data) == before
            continue
        ids = [item["id"] for item in tree.walk(data)]
        assert len(ids) == len(set(ids))
        assert all(int(item_id[1:]) < data["next_id"] for item_id in ids)
        for item in tree.walk(data):
            if item.get("style"):
                value = cn_number(item["number"])
                assert item["marker"] == marker_text(item["style"], value).strip()
        # Text is only ever moved, except by removing an item.
        if change == "remove":
            assert _sentences(data) == before - removed
        else:
            assert _sentences(data) == before
            assert len(ids) == count + (change == "split") - (change == "merge")
