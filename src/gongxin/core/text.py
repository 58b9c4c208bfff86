"""Chinese text as words (jieba, search mode) and keywords found in it: what suggests an
enterprise's place on a chain, a prospect for a gap, a demand's category."""

from __future__ import annotations

from functools import lru_cache

import jieba

jieba.setLogLevel(60)


def words(text: str) -> frozenset[str]:
    """The words of a text as jieba segments it for search (long words and their parts)."""
    return frozenset(w.strip().lower() for w in jieba.cut_for_search(text or "") if w.strip())


@lru_cache(maxsize=4096)
def keyword_words_of(keyword: str) -> frozenset[str]:
    """The words of a keyword (cached: keywords are few and asked about often)."""
    return words(keyword)


def keyword_found(keyword: str, text_words: frozenset[str]) -> bool:
    """A keyword is found when it is one of the words, or all its own words are."""
    own = keyword_words_of(keyword)
    return keyword.lower() in text_words or (bool(own) and own <= text_words)
