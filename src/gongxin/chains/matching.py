"""Suggested places of enterprises on a chain's nodes, on plain values (no database):
from the words of an enterprise's products and business scope (segmented with jieba)
matching a node's keywords, and from its industry class matching a node's codes. Staff
confirm or reject each suggestion; the evidence is shown to them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gongxin.core.text import keyword_found, words

KEYWORDS, INDUSTRY = "keywords", "industry"


@dataclass(frozen=True)
class NodeTerms:
    pk: int
    parent: int | None
    industry_codes: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    node: int
    source: str  # KEYWORDS or INDUSTRY
    evidence: str  # the words or the code that matched


def suggest(industry_code: str, text: str, nodes: Iterable[NodeTerms]) -> list[Suggestion]:
    """The nodes an enterprise (its industry class, its products and scope) belongs on.
    Keyword evidence beats an industry code; a node is dropped when a node below it
    matched too (the most specific place wins)."""
    nodes = list(nodes)
    text_words = words(text)
    found: dict[int, Suggestion] = {}
    for node in nodes:
        matched = [k for k in node.keywords if keyword_found(k, text_words)]
        if matched:
            found[node.pk] = Suggestion(node.pk, KEYWORDS, "、".join(matched))
            continue
        code = next(
            (c for c in node.industry_codes if len(c) >= 3 and industry_code.startswith(c)), None
        )
        if code:
            found[node.pk] = Suggestion(node.pk, INDUSTRY, code)
    parents = {n.pk: n.parent for n in nodes}
    covered: set[int] = set()
    for pk in found:
        parent = parents.get(pk)
        while parent is not None:
            covered.add(parent)
            parent = parents.get(parent)
    kept = [s for pk, s in found.items() if pk not in covered]
    # keyword evidence first: where both kinds matched on one branch, keep the words
    if any(s.source == KEYWORDS for s in kept):
        kept = [s for s in kept if s.source == KEYWORDS]
    return kept
