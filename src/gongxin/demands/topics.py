"""The words a demand is about, for the hot topics (terms rising this month against
last) and for telling duplicates. Plain Python: jieba's TF-IDF keywords of the title and
text, without the words every demand uses."""

from __future__ import annotations

import gongxin.core.text  # noqa: F401  (jieba set up quietly)

#: Words too common in demands to tell a topic (asking, helping, the enterprise itself).
COMMON = frozenset((
    "企业", "公司", "我们", "我司", "贵局", "问题", "希望", "需要", "请求", "申请", "协调",
    "本公司", "解决", "帮助", "帮忙", "目前", "现在", "相关", "情况", "部门", "政府", "能否",
    "一些", "一下", "没有", "已经", "进行", "工作", "方面", "支持", "给予", "存在", "要求", "反映",
    "诉求", "由于", "因为", "所以", "但是", "以及", "今年", "去年", "明年", "本月", "上月", "万元",
    "亿元", "左右", "大约", "是否", "尽快",
))  # fmt: skip
MAX_TERMS = 12


def demand_terms(text: str) -> list[str]:
    """Up to MAX_TERMS words of two characters or more that say what a demand is about,
    the most telling first: jieba's TF-IDF keywords (a word frequent in this text and rare
    in Chinese at large ranks high), without the words every demand uses. ASCII words come
    in upper case, as they are written (5G, PCB)."""
    # Imported on first use: its part-of-speech and IDF tables take 150 MB and most of a
    # second to load, which every process (a command, a web worker) would pay at start.
    import jieba.analyse

    found = []
    for word in jieba.analyse.extract_tags(text or "", topK=MAX_TERMS * 2):
        word = word.strip()
        if _code(word):
            word = word.upper()
        elif not _chinese(word) or word in COMMON:
            continue
        if word not in found:
            found.append(word)
    return found[:MAX_TERMS]


def _chinese(word: str) -> bool:
    return 2 <= len(word) <= 40 and all("\u4e00" <= c <= "\u9fff" for c in word)


def _code(word: str) -> bool:
    """ASCII words that name something (5G, PCB, VR), not numbers or single letters."""
    return word.isascii() and 2 <= len(word) <= 20 and word.isalnum() and not word.isdigit()
