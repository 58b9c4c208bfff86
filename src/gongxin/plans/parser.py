"""Split a plan document (行动方案, 工作要点, 政府工作报告 …) into a tree of tasks.

Plain Python, no database. The input is a list of paragraphs as `reading` gets them from
a file; the output is the plan's title, date and author and its items, each with its
number, a short title and its full text.

Chinese government documents number their items in a few well-known ways, nested in a
conventional order that documents do not always keep:

    一、  （一）/(一)  1./1、/1．  （1）/(1)/⑴  ①  一是…二是…(run together in a paragraph)

The tree is built with a stack of the numbering styles open at the current point: a
style already open closes everything below it and starts a sibling; a new style opens a
child. So a document whose highest level is （一） or 一是, or that skips a level, nests
as written. Paragraphs without a number belong to the item above them.

Matching works on a key of each paragraph: full-width letters and digits made ASCII and
traditional characters made simplified (both one character for one), so the text kept
is the document's own.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

CN_DIGITS = "〇零一二三四五六七八九"
CN_NUMERAL = "[一二三四五六七八九十百零〇两]+"
#: Terminal punctuation: a line ending in one of these ends its sentence.
TERMINAL = "。！？；：!?;:"
CLOSERS = "”’」』）)】》"
#: Styles in their conventional order, highest first (used for rendering and to name
#: the levels; parsing follows the document, not this order).
STYLES = (
    "bufen",  # 第一部分
    "zhang",  # 第一章
    "jie",  # 第一节
    "tiao",  # 第一条
    "cn_dun",  # 一、
    "cn_paren",  # （一）
    "ar_dot",  # 1.
    "ar_paren",  # （1） ⑴
    "circled",  # ①
    "cn_shi",  # 一是 (run in)
    "cn_di",  # 第一， (run in)
)
#: The styles whose items run on inside a paragraph.
RUN_IN_STYLES = ("cn_shi", "cn_di")
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
PAREN_DIGITS = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"
#: A title longer than this is cut (the full text is kept with the task).
TITLE_MAX = 60

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # ideographic space
_FULLWIDTH.update({0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20})
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)

_HAN = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_PUNCT = r"\u3000-\u303f\uff00-\uffef“”‘’《》"
# Spaces a PDF leaves between Chinese characters ("推 进 产 业"), and around punctuation.
_STRAY_SPACE = re.compile(
    rf"(?<=[{_HAN}{_CJK_PUNCT}])[ \t]+(?=[{_HAN}{_CJK_PUNCT}\d])|"
    rf"(?<=[{_HAN}{_CJK_PUNCT}\d])[ \t]+(?=[{_HAN}{_CJK_PUNCT}])"
)

# Leading markers, matched on the key (full-width parentheses and digits made ASCII).
_MARKERS: list[tuple[str, re.Pattern]] = [
    ("bufen", re.compile(rf"第({CN_NUMERAL}|\d+)部分\s*[：:]?\s*")),
    ("zhang", re.compile(rf"第({CN_NUMERAL}|\d+)章\s*")),
    ("jie", re.compile(rf"第({CN_NUMERAL}|\d+)节\s*")),
    ("tiao", re.compile(rf"第({CN_NUMERAL}|\d+)条\s*")),
    # not 二、三季度 or 一、二级: numbers enumerated, not a marker
    (
        "cn_dun",
        re.compile(rf"({CN_NUMERAL})\s*[、.](?![{CN_DIGITS}十两]+[、级类等季期批号月年项个])\s*"),
    ),
    ("cn_paren", re.compile(rf"[(（]\s*({CN_NUMERAL})\s*[)）]\s*[、.]?\s*")),
    ("ar_paren", re.compile(r"(?:[(（]\s*(\d{1,3})\s*[)）]|(\d{1,3})[)）](?!\d))\s*[、.]?\s*")),
    ("ar_paren", re.compile(f"([{PAREN_DIGITS}])\\s*")),
    ("ar_dot", re.compile(r"(\d{1,3})\s*(?:、(?!\s*\d)|\.(?![\d.]))\s*")),  # not 1、2号
    ("circled", re.compile(f"([{CIRCLED}])\\s*[、.]?\\s*")),
    ("cn_shi", re.compile(rf"({CN_NUMERAL})是(?=\S)")),
    ("cn_di", re.compile(rf"第({CN_NUMERAL})[，,](?=\S)")),
]
# Run-in items inside a paragraph: 一是…二是…, after a sentence or clause boundary.
_RUN_IN = re.compile(rf"(?:^|(?<=[。；;：:！？!?，,]))\s*({CN_NUMERAL})是(?=\S)")
# 第一，…第二，… run in after a sentence or clause
_RUN_IN_DI = re.compile(rf"(?:^|(?<=[。；;：:！？!?]))\s*第({CN_NUMERAL})[，,](?=\S)")
_RUN_INS = {"cn_shi": _RUN_IN, "cn_di": _RUN_IN_DI}

_PAGE_FURNITURE = re.compile(
    r"^(?:[-—–－─_\s]*\d{1,4}[-—–－─_\s]*|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|"
    r"\d+\s*/\s*\d+|[-—–－─_=*·•\s]+|page\s*\d+(?:\s*of\s*\d+)?)$",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(
    r"^[(（]?\s*(?:作者系|作者为|"
    r"(?:文章来源|来源|本文来源|责任编辑|编辑|审核|校对|记者|通讯员)[：:\s])"
)
_URL_ONLY = re.compile(r"^(?:<?(?:https?:)?//\S+>?\s*)+$")
_BYLINE = re.compile(rf"^(?:(?:作者|文|撰稿|撰文)\s*[：:/／|]\s*)?([{_HAN}]{{2,4}})$")
_BYLINE_LABELLED = re.compile(r"^(?:作者|文|撰稿|撰文)\s*[：:/／|]\s*(.{2,40})$")
# 关于印发《…》的通知, or without the book-title marks: 关于印发南昌市…方案的通知
_NOTICE = re.compile(
    r"关于(?:印发|转发|下达|发布)?[^《]*《(.+?)》.{0,12}的?(?:通知|函|决定|批复)"
    r"|关于(?:印发|转发|下达|发布)(.{4,60}?)的(?:通知|函|决定|批复)$"
)
_DOC_NUMBER = re.compile(
    rf"[{_HAN}]{{1,10}}\s*[〔\[［(（]\s*(\d{{4}})\s*[〕\]］)）]\s*\d{{1,4}}\s*号"
)
_ISSUED_FOOTER = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*印\s*发\s*$")
_COPIED = re.compile(r"^(?:抄送|抄报|主送|公开方式|联系人|联系电话)[：:]|^[(（]此件.{0,12}[)）]$")
# What a web page wraps round a document: tools, bylines of the page, the site's footer.
_SITE_FURNITURE = re.compile(
    r"^[【\[［]?\s*(?:字[体號号]\s*[：:]|打印本?页|关闭(?:本页|窗口)|分享到|扫一扫|"
    r"(?:浏览|阅读|访问)(?:次数|量)|版权所有|copyright|©|主办单位[：:]|技术支持[：:]|"
    r"网站标识码|[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]ICP备|"
    r"公网安备|联系我们|网站地图|当前位置|您(?:现在)?的位置|首页\s*[>＞»]|"
    r"(?:发布|成文)(?:时间|日期)\s*[：:]|来源\s*[：:])",
    re.IGNORECASE,
)
_PUBLISHED = re.compile(
    r"(?:发布|成文|印发)(?:时间|日期)\s*[：:]\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})"
)
_ANNEX = re.compile(r"^附\s*件\s*(?:\d+\s*)?(?:[：:]|$|\d)")
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_DATE = re.compile(
    "([〇零一二三四五六七八九○Ｏ]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)
# Annotations in brackets that name owners or deadlines: not part of a title.
_ANNOTATION_WORDS = (
    r"(?:责任|牵头|配合|协办|主责|完成时限|时限|时间|截止|长期坚持|持续推进|年底前|月底前)"
)
_ANNOTATION = re.compile(
    r"[(（](?:[^()（）]|[(（][^()（）]*[)）])*?"
    + _ANNOTATION_WORDS
    + r"(?:[^()（）]|[(（][^()（）]*[)）])*[)）]"
    + r"|[【〔\[［][^】〕\]］]*?"
    + _ANNOTATION_WORDS
    + r"[^】〕\]］]*[】〕\]］]"
)


@dataclass
class Block:
    """A paragraph as read from the file; `heading` is an outline level the file's own
    markup gives it (Markdown #, HTML <h2>, a Word heading style), 0 when none."""

    text: str
    heading: int = 0


@dataclass
class Source:
    """What a reader got out of a file, before any splitting."""

    blocks: list[Block]
    format: str  # text, markdown, html, docx, pdf
    meta: dict = field(default_factory=dict)  # title, date, author, number when the file says
    warnings: list[str] = field(default_factory=list)
    #: Lines may be broken inside sentences (plain text and PDF): join them back.
    wrapped: bool = False


@dataclass
class Node:
    """One item of the plan: its number as written (一, 1, 3), the marker around it
    (“（一）”), the style of that marker, a short title and its own full text."""

    number: str
    title: str
    text: str
    style: str = ""
    marker: str = ""
    children: list[Node] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "marker": self.marker,
            "style": self.style,
            "title": self.title,
            "text": self.text,
            "children": [child.as_dict() for child in self.children],
        }


@dataclass
class ParsedPlan:
    title: str
    date: dt.date | None
    author: str
    number: str  # the document number, 文号
    preamble: str
    tasks: list[Node]
    warnings: list[str] = field(default_factory=list)
    format: str = ""

    def walk(self):
        for task in self.tasks:
            yield from task.walk()

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "author": self.author,
            "number": self.number,
            "preamble": self.preamble,
            "warnings": list(self.warnings),
            "tasks": [task.as_dict() for task in self.tasks],
        }


# ---------------------------------------------------------------------------------------
# Text normalisation


def _t2s():
    # OpenCC's dictionaries load once per process (a few milliseconds).
    global _T2S
    if _T2S is None:
        import opencc

        _T2S = opencc.OpenCC("t2s")
    return _T2S


_T2S = None


def clean(text: str) -> str:
    """The text with zero-width characters removed, odd spaces made plain, stray spaces
    between Chinese characters dropped and runs of spaces collapsed."""
    text = text.translate(_ZERO_WIDTH).replace("\u3000", " ").replace("\xa0", " ")
    text = _STRAY_SPACE.sub("", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def key_of(text: str) -> str:
    """The text as it is matched: simplified characters, ASCII letters, digits and
    parentheses. Same length as `text` wherever the conversion is one-to-one."""
    simplified = _t2s().convert(text)
    if len(simplified) != len(text):  # a phrase conversion changed the length
        simplified = "".join(_t2s().convert(char) or char for char in text)
    return simplified.translate(_FULLWIDTH)


def cn_number(numeral: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105; digits as they are; None if neither."""
    if numeral in CIRCLED:
        return CIRCLED.index(numeral) + 1
    if numeral in PAREN_DIGITS:
        return PAREN_DIGITS.index(numeral) + 1
    if numeral.isascii() and numeral.isdigit():  # ① is a digit to str.isdigit() too
        return int(numeral)
    values = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
    total, current = 0, 0
    for char in numeral:
        if char in values:
            current = values[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def cn_numeral(value: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五."""
    digits = "零一二三四五六七八九"
    if value < 10:
        return digits[value]
    if value < 20:
        return "十" + (digits[value % 10] if value % 10 else "")
    if value < 100:
        return digits[value // 10] + "十" + (digits[value % 10] if value % 10 else "")
    rest = value % 100
    head = digits[value // 100] + "百"
    if not rest:
        return head
    if rest < 10:
        return head + "零" + digits[rest]
    return head + ("一" if rest < 20 else "") + cn_numeral(rest)  # 一百一十


def marker_text(style: str, number: int) -> str:
    """The marker of item `number` in `style`, as documents write it."""
    cn = cn_numeral(number)
    return {
        "bufen": f"第{cn}部分 ",
        "zhang": f"第{cn}章 ",
        "jie": f"第{cn}节 ",
        "tiao": f"第{cn}条 ",
        "cn_dun": f"{cn}、",
        "cn_paren": f"（{cn}）",
        "ar_dot": f"{number}.",
        "ar_paren": f"（{number}）",
        "circled": CIRCLED[number - 1] if number <= len(CIRCLED) else f"（{number}）",
        "cn_shi": f"{cn}是",
        "cn_di": f"第{cn}，",
    }[style]


# ---------------------------------------------------------------------------------------
# Lines → paragraphs


def _furniture(line: str) -> bool:
    return (
        bool(_PAGE_FURNITURE.match(line))
        or bool(_URL_ONLY.match(line))
        or (len(line) <= 80 and bool(_SITE_FURNITURE.match(line)))
    )


def _starts_item(key: str) -> bool:
    return _leading_marker(key) is not None


def _unwrap(lines: list[str]) -> list[str]:
    """Join lines a PDF or a plain-text editor broke inside sentences.

    A line is continued by the next when it does not end a sentence and either reaches
    about the document's usual line width (the 90th percentile of its lines) or
    ends in a comma; a line that starts with a number never continues the one before, and
    an empty line always ends a paragraph."""
    widths = [len(line) for line in lines if line]
    if not widths:
        return []
    full = statistics.quantiles(widths, n=10)[-1] if len(widths) >= 10 else max(widths)
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    paragraphs: list[str] = []
    for block in blocks:
        current, last = "", ""
        for line in block:
            if current:
                tail = current.rstrip()
                ends = tail.endswith(tuple(TERMINAL)) or (
                    tail[-1:] in CLOSERS and tail[-2:-1] in TERMINAL
                )
                continues = (
                    not ends
                    and not _starts_item(key_of(line))
                    and (len(last) >= 0.8 * full or tail[-1:] in "，、（(《“—-")
                ) or (len(current) <= 8 and _bare_marker(current))  # "（一）" alone on its line
                if continues:
                    joiner = " " if current[-1:].isascii() and line[:1].isascii() else ""
                    current += joiner + line
                    last = line
                    continue
                paragraphs.append(current)
            current, last = line, line
        if current:
            paragraphs.append(current)
    return paragraphs


#: How many lines from a page's edge a running header or footer sits.
_PAGE_EDGE = 2


def _bare_marker(text: str) -> bool:
    """A line that is a number and nothing else ("（一）", "1.", "一、")."""
    key = key_of(text.strip())
    return any(pattern.fullmatch(key) for style, pattern in _MARKERS if style not in RUN_IN_STYLES)


def _drop_running_lines(lines: list[str], edges: set[int]) -> list[str]:
    """Running headers and footers: a short line repeated at the edges of page after page
    (next to a page number or a page break). A line repeated elsewhere is text (wrapped
    lines of the same annotation, say) and stays."""
    near = {
        i
        for edge in edges
        for i in range(edge - _PAGE_EDGE, edge + _PAGE_EDGE + 1)
        if 0 <= i < len(lines) and lines[i]
    }
    # A header or footer is a title or a name, not the end of a sentence ("底前）" ending a
    # paragraph at the foot of two pages is text), and comes back page after page.
    counts = Counter(
        lines[i]
        for i in near
        if len(lines[i]) <= 40 and not lines[i].endswith(tuple(TERMINAL + CLOSERS))
    )
    repeated = {line for line, n in counts.items() if n >= 2 and not _starts_item(key_of(line))}
    if not repeated:
        return lines
    return ["" if i in near and line in repeated else line for i, line in enumerate(lines)]


def paragraphs_of(source: Source) -> list[Block]:
    """The source's paragraphs, cleaned, page furniture removed, broken lines joined."""
    if not source.wrapped:  # one paragraph per line
        blocks = [
            Block(clean(line), b.heading) for b in source.blocks for line in b.text.split("\n")
        ]
        return [b for b in blocks if b.text and not _furniture(b.text)]
    lines: list[str] = []
    edges: set[int] = set()  # where a page ends: a page number, a form feed
    for block in source.blocks:
        for page, text in enumerate(block.text.split("\f")):
            if page:
                edges.add(len(lines))
                lines.append("")
            for raw in text.split("\n"):
                line = clean(raw)
                if _furniture(line):
                    if line:
                        edges.add(len(lines))
                    line = ""
                lines.append(line)
    lines = _drop_running_lines(lines, edges)
    # A page break inside a paragraph leaves an empty line where the furniture was:
    # squeeze empty lines that follow a line that does not end its sentence.
    return [Block(text) for text in _unwrap(_squeeze_page_breaks(lines))]


def _squeeze_page_breaks(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if not line and out and out[-1] and not out[-1].endswith(tuple(TERMINAL)):
            continue
        out.append(line)
    return out


# ---------------------------------------------------------------------------------------
# Markers


@dataclass
class _Token:
    style: str  # "" for a paragraph without a number; "h1".."h6" for unnumbered headings
    number: str
    marker: str
    text: str


def _leading_marker(key: str) -> tuple[str, re.Match] | None:
    for style, pattern in _MARKERS:
        match = pattern.match(key)
        if match and match.end() < len(key):
            if style in RUN_IN_STYLES and not _RUN_INS[style].match(key):
                continue
            return style, match
    return None


def _number_of(match: re.Match) -> str:
    value = next(group for group in match.groups() if group)
    return str(cn_number(value)) if value in CIRCLED or value in PAREN_DIGITS else value


def _tokens(paragraph: Block) -> list[_Token]:
    """A paragraph as tokens: its leading item (if numbered), then any run-in items."""
    text = paragraph.text
    key = key_of(text)
    tokens: list[_Token] = []
    found = _leading_marker(key)
    if found:
        style, match = found
        number = _number_of(match)
        marker = re.sub(r"\s+", "", text[: match.end()])  # "( 1 )" from a PDF
        head = _Token(style, number, marker, "")
        start = match.end()
        if style in RUN_IN_STYLES:
            # a paragraph that starts with 一是 may go on with 二是, 三是 …
            start = match.start()
            head = None
    elif paragraph.heading:
        head = _Token(f"h{paragraph.heading}", "", "", "")
        start = 0
    else:
        head = None
        start = 0
    body_key = key[start:]
    run_style, runs = _run_ins(body_key)
    if head is not None:
        tokens.append(head)
    if not runs:
        body = text[start:].strip()
        if head is not None:
            head.text = body
        else:
            tokens.append(_Token("", "", "", body))
        return tokens
    first = runs[0].start()
    intro = text[start : start + first].strip()
    if head is not None:
        head.text = intro
    elif intro:
        tokens.append(_Token("", "", "", intro))
    for index, match in enumerate(runs):
        end = runs[index + 1].start() if index + 1 < len(runs) else len(body_key)
        numeral = match.group(1)
        marker_end = match.end()
        tokens.append(
            _Token(
                run_style,
                numeral,
                text[start + match.start(1) : start + marker_end],
                text[start + marker_end : start + end].strip(),
            )
        )
    return tokens


def _run_ins(key: str) -> tuple[str, list[re.Match]]:
    """The run-in items of a paragraph (一是、二是… or 第一，第二，…) and their style: a
    run counting up from one (or going on with a run begun in an earlier paragraph when
    the paragraph starts with it)."""
    for style, pattern in _RUN_INS.items():
        run = _run_of(pattern, key)
        if run:
            return style, run
    return "", []


def _run_of(pattern: re.Pattern, key: str) -> list[re.Match]:
    matches = list(pattern.finditer(key))
    run: list[re.Match] = []
    expected = None
    for match in matches:
        value = cn_number(match.group(1))
        if value is None:
            continue
        if expected is None:
            if value == 1 or (match.start() == 0 and value > 1):
                run = [match]
                expected = value + 1
        elif value == expected:
            run.append(match)
            expected += 1
    if len(run) == 1 and cn_number(run[0].group(1)) == 1 and run[0].start() > 0:
        return []  # a lone 一是 inside a sentence is not a list
    return run


# ---------------------------------------------------------------------------------------
# Titles


def _strip_annotations(text: str) -> str:
    return _ANNOTATION.sub("", text).strip()


def title_of(text: str) -> str:
    """The run-in heading of an item (up to its first 。：；), or its first sentence,
    cut at TITLE_MAX characters; annotations naming owners or deadlines left out."""
    text = _strip_annotations(text)
    depth = 0
    end = len(text)
    for index, char in enumerate(text):
        if char in "“‘《（(「【":
            depth += 1
        elif char in "”’》）)」】" and depth:
            depth -= 1
        elif depth == 0 and char in "。！？；：!?;:":
            end = index
            break
    title = text[:end].strip().rstrip("，,、")
    if len(title) > TITLE_MAX:
        cut = title[:TITLE_MAX]
        comma = max(cut.rfind("，"), cut.rfind(","))
        title = (cut[:comma] if comma >= TITLE_MAX // 2 else cut) + "…"
    return title


# ---------------------------------------------------------------------------------------
# Front matter: covering notice, title, author, date


@dataclass
class _Head:
    title: str = ""
    author: str = ""
    date: dt.date | None = None
    number: str = ""
    body_start: int = 0
    preamble: list[str] = field(default_factory=list)


def _date_in(text: str) -> dt.date | None:
    key = key_of(text)
    match = _DATE.search(key)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        match = _CN_DATE.search(re.sub("[○OＯ零]", "〇", key))
        if match:
            year = int("".join(str("〇一二三四五六七八九".find(c)) for c in match[1]))
            return dt.date(year, cn_number(match[2]), cn_number(match[3]))
    except (ValueError, TypeError):
        return None
    return None


def _is_date_line(text: str) -> bool:
    key = key_of(text).strip()
    return bool(re.fullmatch(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日", key)) or bool(
        _CN_DATE.fullmatch(key.replace("○", "〇"))
    )


def _head(paragraphs: list[Block], meta: dict) -> _Head:
    """Find the covering notice, title, author and date before the body."""
    head = _Head(
        title=str(meta.get("title") or "").strip(),
        author=str(meta.get("author") or "").strip(),
        date=meta.get("date"),
        number=str(meta.get("number") or "").strip(),
    )
    first_item = next(
        (
            i
            for i, p in enumerate(paragraphs)
            # a numbered item, run-in items, or a heading below the title (Markdown ##,
            # a Word heading 2) in a document that does not number its sections
            if _leading_marker(key_of(p.text)) or _run_ins(key_of(p.text))[1] or p.heading >= 2
        ),
        len(paragraphs),
    )
    before = paragraphs[:first_item]
    notice_title = ""
    notice_end = -1
    for index, paragraph in enumerate(before):
        key = key_of(paragraph.text)
        match = _NOTICE.search(key)
        if match and len(key) <= 80 and notice_end < 0:
            group = 1 if match.group(1) else 2
            notice_title = paragraph.text[match.start(group) : match.end(group)]
            notice_end = index
        number = _DOC_NUMBER.search(key)
        if number and not head.number and len(key) <= 40:
            head.number = paragraph.text[number.start() : number.end()].strip()
    start = 0
    if notice_end >= 0:
        # The body starts where the document's own title repeats after the notice;
        # failing that, after the notice's signature date.
        start = notice_end + 1
        for index in range(notice_end + 1, len(before)):
            text = before[index].text.strip()
            if key_of(text) == key_of(notice_title):
                start = index + 1
                break
            if _is_date_line(text):
                head.date = head.date or _date_in(text)
                if index > 0 and len(before[index - 1].text) <= 30:
                    head.author = head.author or before[index - 1].text.strip()
                start = index + 1
        head.title = head.title or notice_title
    preamble = []
    for index in range(start, len(before)):
        text = before[index].text.strip()
        key = key_of(text)
        if (
            not head.title
            and len(text) <= 60
            and not text.endswith(tuple(TERMINAL))
            and not (_BYLINE.match(key) and index + 1 < len(before))
        ):
            if _DOC_NUMBER.fullmatch(key) or key.endswith("文件"):
                continue
            head.title = text
            continue
        if key_of(text) == key_of(head.title):
            continue
        byline = _BYLINE_LABELLED.match(key) or (
            _BYLINE.match(key)
            if not preamble and index + 1 < len(before) and not before[index].heading
            else None
        )
        if byline and not preamble:
            head.author = head.author or text[byline.start(1) : byline.end(1)].strip()
            continue
        if _DOC_NUMBER.fullmatch(key) or (key.endswith("文件") and len(key) <= 20):
            continue
        if _is_date_line(text):
            head.date = head.date or _date_in(text)
            continue
        preamble.append(text)
    head.preamble = preamble
    head.body_start = first_item
    return head


def _tail(paragraphs: list[Block], head: _Head, warnings: list[str]) -> list[Block]:
    """Drop what follows the body: attribution, copy-to lines, the issuing footer, links,
    the signature and date; note the annex."""
    end = len(paragraphs)
    for index in range(head.body_start, len(paragraphs)):
        key = key_of(paragraphs[index].text)
        if _ANNEX.match(key):
            warnings.append(
                _("The annexes (from “%(text)s”) are not split into tasks.")
                % {"text": paragraphs[index].text[:30]}
            )
            end = index
            break
    body = paragraphs[head.body_start : end]
    while body:
        text = body[-1].text.strip()
        key = key_of(text)
        footer = _ISSUED_FOOTER.search(key)
        if footer:
            head.date = head.date or _date_in(text)
        elif _is_date_line(text):
            head.date = head.date or _date_in(text)
            if (
                len(body) >= 2
                and len(body[-2].text) <= 30
                and not _leading_marker(key_of(body[-2].text))
                and not body[-2].text.endswith(tuple(TERMINAL))
            ):
                head.author = head.author or body[-2].text.strip()
                body.pop()
        elif not (_COPIED.match(key) or _ATTRIBUTION.match(key) or _furniture(key)):
            break
        body.pop()
    return body


# ---------------------------------------------------------------------------------------
# The tree


def _build(tokens: list[_Token]) -> tuple[list[Node], list[str]]:
    """Nest the tokens: returns the top-level items and the text before the first."""
    roots: list[Node] = []
    stack: list[tuple[str, Node]] = []
    before: list[str] = []
    for token in tokens:
        if not token.style:
            if stack:
                node = stack[-1][1]
                node.text = f"{node.text}\n{token.text}" if node.text else token.text
            else:
                before.append(token.text)
            continue
        styles = [style for style, _node in stack]
        if token.style.startswith("h"):
            level = int(token.style[1:])
            while stack and not (stack[-1][0].startswith("h") and int(stack[-1][0][1:]) < level):
                stack.pop()
        elif token.style in styles:
            del stack[styles.index(token.style) :]
        node = Node(
            number=token.number,
            title=title_of(token.text),
            text=token.text,
            style=token.style,
            marker=token.marker,
        )
        (stack[-1][1].children if stack else roots).append(node)
        stack.append((token.style, node))
    return roots, before


def _flat(paragraphs: list[Block]) -> list[Node]:
    return [
        Node(number=str(index), title=title_of(p.text), text=p.text)
        for index, p in enumerate(paragraphs, start=1)
    ]


def parse(source: Source) -> ParsedPlan:
    """The plan in `source`: title, date, author, document number, the text before the
    first item, and the tree of items. A document without numbering comes back as one
    task per paragraph, with a warning."""
    warnings = list(source.warnings)
    paragraphs = paragraphs_of(source)
    head = _head(paragraphs, source.meta)
    head.date = head.date or _published(source)
    if not head.title and source.meta.get("page_title"):
        # a web page's <title>: "关于印发…的通知_南昌市人民政府" → its first part
        head.title = re.split(r"\s*[_|｜]\s*|\s+-\s+", str(source.meta["page_title"]))[0]
    body = _tail(paragraphs, head, warnings)
    tokens = [token for paragraph in body for token in _tokens(paragraph)]
    tasks, before = _build(tokens)
    preamble = head.preamble + before
    if not tasks:
        flat = [Block(text) for text in preamble] or body
        if flat:
            warnings.append(_("No numbered items were recognised: each paragraph became a task."))
        tasks = _flat(flat)
        preamble = []
    date = head.date if isinstance(head.date, dt.date) else _coerce_date(head.date)
    return ParsedPlan(
        title=head.title or (tasks[0].title if tasks else ""),
        date=date,
        author=head.author,
        number=head.number,
        preamble="\n".join(preamble),
        tasks=tasks,
        warnings=warnings,
        format=source.format,
    )


def _published(source: Source) -> dt.date | None:
    """The date a web page says it published the document (发布时间：2023-03-15)."""
    for block in source.blocks[:80]:
        match = _PUBLISHED.search(key_of(block.text[:5000]))
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
    return None


def _coerce_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return _date_in(value)
    return None


def parse_text(text: str, *, wrapped: bool = True, meta: dict | None = None) -> ParsedPlan:
    """Parse plain text (tests, the API, pasted text)."""
    return parse(Source([Block(text)], "text", meta or {}, wrapped=wrapped))


# ---------------------------------------------------------------------------------------
# Back to text


def render(tasks: list[Node], *, styles: list[str] | None = None) -> str:
    """The tasks as a document's text: each level numbered in its own style (the node's
    style when it has one), the text after the marker; one paragraph per line."""
    lines: list[str] = []

    def walk(nodes: list[Node], depth: int) -> None:
        for index, node in enumerate(nodes, start=1):
            style = node.style if node.style in STYLES else ""
            conventional = STYLES[STYLES.index("cn_dun") :]
            style = style or (styles[depth] if styles else conventional[depth])
            number = cn_number(node.number) if node.number else index
            first, *rest = node.text.split("\n") if node.text else [""]
            lines.append(marker_text(style, number or index) + first)
            lines.extend(rest)
            walk(node.children, depth + 1)

    walk(tasks, 0)
    return "\n".join(lines)
