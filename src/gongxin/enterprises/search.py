"""Chinese search over names, products and business scope, segmented with jieba.

A query such as “锂电池隔膜生产” becomes the words 锂电池, 隔膜, 生产; an enterprise matches
when every word appears in its name, main products or business scope (or the query is a
prefix of its unified social credit code).
"""

import re
from functools import reduce
from operator import and_

import jieba
from django.db.models import Q

jieba.setLogLevel(60)

_STOP = frozenset(
    ["的", "和", "与", "及", "或", "等", "有限", "公司", "有限公司", "股份", "责任", "集团", "企业"]
)
_SPLIT = re.compile(r"[\s,，、;；/|]+")
_USCC_PREFIX = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{6,18}$")


def search_words(query: str) -> list[str]:
    """The words of a query that must all match (longest first, no stop words)."""
    words: list[str] = []
    for part in _SPLIT.split(query.strip()):
        if not part:
            continue
        if re.fullmatch(r"[\w\-.]+", part, flags=re.ASCII):
            words.append(part)
            continue
        pieces = [w.strip() for w in jieba.cut(part) if w.strip()]
        kept = [w for w in pieces if w not in _STOP and (len(w) > 1 or len(pieces) == 1)]
        words.extend(kept or [part])
    return list(dict.fromkeys(words))


def search_q(query: str) -> Q:
    words = search_words(query)
    if not words:
        return Q()
    per_word = [
        Q(name__icontains=w) | Q(main_products__icontains=w) | Q(business_scope__icontains=w)
        for w in words
    ]
    q = reduce(and_, per_word)
    code = query.strip().upper()
    if _USCC_PREFIX.match(code):
        q |= Q(uscc__startswith=code)
    return q
