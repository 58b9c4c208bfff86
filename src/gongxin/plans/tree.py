"""Corrections to a parsed plan before it is saved: retitle, merge, split, indent,
outdent, remove. Plain Python on the parser's dict form (`ParsedPlan.as_dict()`), where
every node carries an `id` unique in the tree. Each function changes the tree in place
and raises TreeError with a message an official can act on when the change makes no
sense (indenting the first item, splitting a one-sentence text …)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.utils.translation import gettext as _

from gongxin.plans.parser import STYLES, cn_number, cn_numeral, marker_text, title_of

_SENTENCE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;][”’」』）)]*|\n|$)")


class TreeError(ValueError):
    pass


def number_ids(tree: dict) -> dict:
    """Give every node an id ("n1", "n2" … depth first), and note the numbering styles
    whose numbers keep counting across sections (1. 2. 3. under （一）, 4. 5. under （二）)
    so that corrections keep them counting."""
    counter = 0
    for node in walk(tree):
        counter += 1
        node["id"] = f"n{counter}"
    tree["next_id"] = counter + 1
    tree["continuous"] = sorted(_continuous_styles(tree))
    return tree


def _sibling_lists(tree: dict) -> list[list[dict]]:
    """Every list of siblings, in document order (a list before its items' sub-lists)."""
    lists: list[list[dict]] = []

    def visit(nodes: list[dict]) -> None:
        if nodes:
            lists.append(nodes)
        for node in nodes:
            visit(node.get("children", []))

    visit(tree.get("tasks", []))
    return lists


def _continuous_styles(tree: dict) -> set[str]:
    last: dict[str, int] = {}
    continuous: set[str] = set()
    for siblings in _sibling_lists(tree):
        style = siblings[0].get("style", "")
        first = cn_number(siblings[0].get("number") or "") or 0
        if style in last and first > 1 and first == last[style] + 1:
            continuous.add(style)
        numbers = [cn_number(n.get("number") or "") or 0 for n in siblings]
        last[style] = max(numbers) if numbers else 0
    return continuous


def renumber(tree: dict) -> None:
    """Number every list of siblings again, each item in its style: from one, or on from
    the last number for a style that keeps counting across sections."""
    continuous = set(tree.get("continuous", ()))
    running: dict[str, int] = {}
    for siblings in _sibling_lists(tree):
        counters: dict[str, int] = {}
        for node in siblings:
            style = node.get("style") or ""
            if style in continuous:
                running[style] = running.get(style, 0) + 1
                value = running[style]
            else:
                counters[style] = counters.get(style, 0) + 1
                value = counters[style]
            if not style:
                node["number"] = str(value)
                continue
            if style not in STYLES:  # an unnumbered heading (Markdown ##): stays unnumbered
                continue
            node["marker"] = marker_text(style, value).strip()
            chinese = style in (
                "bufen",
                "zhang",
                "jie",
                "tiao",
                "cn_dun",
                "cn_paren",
                "cn_shi",
                "cn_di",
            )
            node["number"] = cn_numeral(value) if chinese else str(value)


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
    renumber(tree)
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
    renumber(tree)
    return new


def indent(tree: dict, node_id: str) -> dict:
    """Make an item the last sub-item of the item before it (its own sub-items go down
    with it)."""
    nodes, index, _parent = _find(tree, node_id)
    if index == 0:
        raise TreeError(
            _("The first item of its level cannot go down a level: nothing is above it.")
        )
    ancestors = _ancestor_styles(tree, node_id)
    node = nodes.pop(index)
    previous = nodes[index - 1]
    children = previous.setdefault("children", [])
    style = children[0].get("style", "") if children else ""
    _restyle(tree, node, [*ancestors, previous.get("style", "")], style)
    children.append(node)
    renumber(tree)
    return node


def outdent(tree: dict, node_id: str) -> dict:
    """Make an item a sibling of its parent, right after it (its own sub-items go up
    with it)."""
    nodes, index, parent = _find(tree, node_id)
    if parent is None:
        raise TreeError(_("The item is already at the top level."))
    ancestors = _ancestor_styles(tree, parent["id"])
    node = nodes.pop(index)
    holder, parent_index, _grand = _find(tree, parent["id"])
    _restyle(tree, node, ancestors, parent.get("style", ""))
    holder.insert(parent_index + 1, node)
    renumber(tree)
    return node


def remove(tree: dict, node_id: str) -> None:
    """Remove an item with its sub-items (a heading or a line the parser took for one)."""
    nodes, index, _parent = _find(tree, node_id)
    nodes.pop(index)
    renumber(tree)


def _ancestor_styles(tree: dict, node_id: str) -> list[str]:
    """The styles of the items above `node_id`, from the top."""

    def search(nodes: list[dict], path: list[str]) -> list[str] | None:
        for node in nodes:
            if node.get("id") == node_id:
                return path
            found = search(node.get("children", []), [*path, node.get("style", "")])
            if found is not None:
                return found
        return None

    return search(tree.get("tasks", []), []) or []


def _level_styles(tree: dict) -> dict[int, str]:
    """The style most items use at each depth."""
    counts: dict[int, dict[str, int]] = {}

    def visit(nodes: list[dict], depth: int) -> None:
        for node in nodes:
            style = node.get("style", "")
            if style:
                counts.setdefault(depth, {})
                counts[depth][style] = counts[depth].get(style, 0) + 1
            visit(node.get("children", []), depth + 1)

    visit(tree.get("tasks", []), 0)
    return {depth: max(found, key=found.get) for depth, found in counts.items()}


def _restyle(tree: dict, node: dict, ancestors: list[str], style: str) -> None:
    """Give a moved item `style` (or the style of its new level) and its sub-items the
    styles of the levels below, never one an item above them uses: parsed again, the
    text nests as the tree does."""
    levels = _level_styles(tree)

    def pick(depth: int, taken: list[str], wanted: str = "") -> str:
        for candidate in (wanted, levels.get(depth, "")):
            if candidate and candidate not in taken:
                return candidate
        after = STYLES.index(taken[-1]) + 1 if taken and taken[-1] in STYLES else 0
        for candidate in [*STYLES[after:], *STYLES[:after]]:
            if candidate not in taken:
                return candidate
        return "ar_dot"

    def apply(item: dict, taken: list[str], wanted: str) -> None:
        item["style"] = pick(len(taken), taken, wanted)
        children = item.get("children", [])
        if children:
            below = [*taken, item["style"]]
            wanted_below = children[0].get("style", "")
            child_style = pick(len(below), below, wanted_below)
            for child in children:
                apply(child, below, child_style)

    apply(node, list(ancestors), style)
