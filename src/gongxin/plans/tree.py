"""Corrections to a parsed plan before it is saved: retitle, merge, split, indent,
outdent, remove. Plain Python on the parser's dict form (`ParsedPlan.as_dict()`), where
every node carries an `id` unique in the tree. Each function changes the tree in place
and raises TreeError with a message an official can act on when the change makes no
sense (indenting the first item, splitting a one-sentence text …)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.utils.translation import gettext as _

from gongxin.plans.parser import cn_number, cn_numeral, marker_text, title_of

_SENTENCE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;][”’」』）)]*|\n|$)")


class TreeError(ValueError):
    pass


def number_ids(tree: dict) -> dict:
    """Give every node an id ("n1", "n2" … depth first)."""
    counter = 0
    for node in walk(tree):
        counter += 1
        node["id"] = f"n{counter}"
    tree["next_id"] = counter + 1
    return tree


def walk(tree: dict) -> Iterator[dict]:
    def visit(nodes: list[dict]):
        for node in nodes:
            yield node
            yield from visit(node.get("children", []))

    yield from visit(tree.get("tasks", []))


def _find(tree: dict, node_id: str) -> tuple[list[dict], int, dict | None]:
    """The list holding the node, its index there and its parent node."""

    def search(nodes: list[dict], parent: dict | None):
        for index, node in enumerate(nodes):
            if node.get("id") == node_id:
                return nodes, index, parent
            found = search(node.get("children", []), node)
            if found:
                return found
        return None

    found = search(tree.get("tasks", []), None)
    if found is None:
        raise TreeError(_("That item is no longer in the plan; reload the page."))
    return found


def _new_id(tree: dict) -> str:
    value = tree.get("next_id") or sum(1 for _node in walk(tree)) + 1
    tree["next_id"] = value + 1
    return f"n{value}"


def _renumber(siblings: list[dict]) -> None:
    """Number siblings in order again, from the first one's number, each in its style."""
    if not siblings:
        return
    first = cn_number(siblings[0].get("number") or "1") or 1
    for offset, node in enumerate(siblings):
        value = first + offset
        style = node.get("style") or ""
        if not style:
            node["number"] = str(value)
            continue
        node["marker"] = marker_text(style, value).strip()
        chinese = style in ("zhang", "jie", "cn_dun", "cn_paren", "cn_shi")
        node["number"] = cn_numeral(value) if chinese else str(value)


def retitle(tree: dict, node_id: str, title: str) -> dict:
    title = " ".join(title.split())
    if not title:
        raise TreeError(_("A task needs a title."))
    if len(title) > 200:
        raise TreeError(
            _("A title has at most 200 characters; this one has %(n)d.") % {"n": len(title)}
        )
    nodes, index, _parent = _find(tree, node_id)
    nodes[index]["title"] = title
    return nodes[index]


def merge(tree: dict, node_id: str) -> dict:
    """Merge an item into the one before it (same level): its text is appended and its
    sub-items follow the previous item's."""
    nodes, index, _parent = _find(tree, node_id)
    if index == 0:
        raise TreeError(_("The first item of its level has no item before it to merge into."))
    previous, node = nodes[index - 1], nodes.pop(index)
    previous["text"] = "\n".join(part for part in (previous.get("text"), node.get("text")) if part)
    previous.setdefault("children", []).extend(node.get("children", []))
    _renumber(nodes)
    return previous


def sentences(text: str) -> list[str]:
    """The sentences of a text, as split points are offered."""
    return [part for part in (m.group(0) for m in _SENTENCE.finditer(text)) if part.strip()]


def split(tree: dict, node_id: str, at: int) -> dict:
    """Split an item before its `at`-th sentence (1-based, at ≥ 1): the rest becomes a new
    item right after it, on the same level; sub-items stay with the first part."""
    nodes, index, _parent = _find(tree, node_id)
    node = nodes[index]
    parts = sentences(node.get("text", ""))
    if len(parts) < 2:
        raise TreeError(_("This item has one sentence only; there is nothing to split."))
    if not 1 <= at < len(parts):
        raise TreeError(
            _("Choose a sentence from 2 to %(n)d to start the new item.") % {"n": len(parts)}
        )
    head, rest = "".join(parts[:at]).strip(), "".join(parts[at:]).strip()
    node["text"] = head
    node["title"] = node.get("title") or title_of(head)
    new = {
        "id": _new_id(tree),
        "number": "",
        "marker": "",
        "style": node.get("style", ""),
        "title": title_of(rest),
        "text": rest,
        "children": [],
    }
    nodes.insert(index + 1, new)
    _renumber(nodes)
    return new


def indent(tree: dict, node_id: str) -> dict:
    """Make an item the last sub-item of the item before it."""
    nodes, index, _parent = _find(tree, node_id)
    if index == 0:
        raise TreeError(
            _("The first item of its level cannot go down a level: nothing is above it.")
        )
    node = nodes.pop(index)
    previous = nodes[index - 1]
    children = previous.setdefault("children", [])
    node["style"] = children[0].get("style", "") if children else _deeper_style(tree, previous)
    children.append(node)
    _renumber(children)
    _renumber(nodes)
    return node


def outdent(tree: dict, node_id: str) -> dict:
    """Make an item a sibling of its parent, right after it."""
    nodes, index, parent = _find(tree, node_id)
    if parent is None:
        raise TreeError(_("The item is already at the top level."))
    node = nodes.pop(index)
    holder, parent_index, _grand = _find(tree, parent["id"])
    node["style"] = parent.get("style", "")
    holder.insert(parent_index + 1, node)
    _renumber(nodes)
    _renumber(holder)
    return node


def remove(tree: dict, node_id: str) -> None:
    """Remove an item with its sub-items (a heading or a line the parser took for one)."""
    nodes, index, _parent = _find(tree, node_id)
    nodes.pop(index)
    _renumber(nodes)


def _deeper_style(tree: dict, node: dict) -> str:
    """The style items one level below `node` use elsewhere in the plan."""
    for other in walk(tree):
        if other.get("style") == node.get("style") and other.get("children"):
            return other["children"][0].get("style", "")
    from gongxin.plans.parser import STYLES

    style = node.get("style", "")
    if style in STYLES and STYLES.index(style) + 1 < len(STYLES):
        return STYLES[STYLES.index(style) + 1]
    return "ar_dot"
