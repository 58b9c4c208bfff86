"""Prospects recommended for a gap node (招商图), on plain values (no database).

A prospect is a candidate for a node when it names the node among its own, or when its
main products contain the node's keywords (segmented with jieba, as for suggested places
of local enterprises). Candidates are ranked by a score whose parts are the reasons shown
to the chain office:

- on the node: 3;
- each keyword of the node found in its products: 1 (at most 2);
- size: large 2, medium 1;
- how far it is in the pipeline: in contact 1, site visit 2, signed 3;
- in a partner province (by default Guangdong, the source's cooperation partner): 1.

Ties go to the larger revenue, then the name. Landed prospects are no longer prospects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from gongxin.core.text import keyword_found, keyword_words_of, words

SIZE_SCORE = {"large": 2, "medium": 1}
STAGE_SCORE = {"contact": 1, "visit": 2, "signed": 3}
ON_NODE, KEYWORD, SIZE, STAGE, PARTNER = "on_node", "keyword", "size", "stage", "partner"


@dataclass(frozen=True)
class Candidate:
    pk: int
    name: str
    province: str
    city: str
    size_class: str
    stage: str
    revenue: Decimal | None
    products: str
    nodes: frozenset[int] = frozenset()
    #: The words of its products (jieba), once for all the nodes it is matched against.
    product_words: frozenset[str] = field(default=frozenset(), compare=False)

    def __post_init__(self) -> None:
        if not self.product_words and self.products:
            object.__setattr__(self, "product_words", words(self.products))


@dataclass
class Recommendation:
    candidate: Candidate
    score: int = 0
    #: (reason, detail): on_node; keyword with the word; size, stage with their value;
    #: partner with the province.
    reasons: list[tuple[str, str]] = field(default_factory=list)


def recommend(
    node: int,
    keywords: Sequence[str],
    candidates: Iterable[Candidate],
    partners: Sequence[str] = ("广东省",),
) -> list[Recommendation]:
    """The candidates for `node`, best first."""
    found: list[Recommendation] = []
    # Any word of any keyword: a candidate sharing none of them matches no keyword.
    keyword_words = set().union(*(keyword_words_of(k) | {k.lower()} for k in keywords))
    for candidate in candidates:
        if node not in candidate.nodes and keyword_words.isdisjoint(candidate.product_words):
            continue
        rec = Recommendation(candidate)
        if node in candidate.nodes:
            rec.score += 3
            rec.reasons.append((ON_NODE, ""))
        matched = [k for k in keywords if keyword_found(k, candidate.product_words)][:2]
        for keyword in matched:
            rec.score += 1
            rec.reasons.append((KEYWORD, keyword))
        if not rec.reasons:
            continue
        if candidate.size_class in SIZE_SCORE:
            rec.score += SIZE_SCORE[candidate.size_class]
            rec.reasons.append((SIZE, candidate.size_class))
        if candidate.stage in STAGE_SCORE:
            rec.score += STAGE_SCORE[candidate.stage]
            rec.reasons.append((STAGE, candidate.stage))
        if candidate.province in partners:
            rec.score += 1
            rec.reasons.append((PARTNER, candidate.province))
        found.append(rec)
    return sorted(
        found,
        key=lambda r: (-r.score, -(r.candidate.revenue or 0), r.candidate.name),
    )
