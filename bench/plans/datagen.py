"""Generate the plan document the plan benchmark splits: an invented 行动方案 of a city
government, about 1,500 characters a page, as plain text laid out like text extracted from
a PDF, as Markdown and as Word (DOCX).

The document: a covering notice (issuing office, document number, 关于印发《…》的通知,
addressees, one sentence, signature and date), the title, a preamble, then sections 一、…
with subsections （一）…, items 1. … that keep counting from one section to the next,
sub-items （1）… under a quarter of the items, 一是…二是… run into a fifth of the leaf
paragraphs, and annotations naming owners and deadlines （责任单位：市发改委、市财政局；完成
时限：2026年底前） after most leaf paragraphs; the last section is the 保障措施; the copy-to
line and the issuing footer close it.

The text file breaks every line at 36 characters (a CJK character counts two half-width
units, a digit one; the first line of a paragraph is indented), inside sentences, keeping
the rules of Chinese typesetting (no line starts with closing punctuation, no line ends
with an opening one, numbers stay whole) and never starting a continued line with what
looks like an item's number, as a PDF's text would come out; every page ends with its
number ("- 12 -") and the next begins with the running header (the title). Markdown and
DOCX hold one paragraph per logical paragraph: headings for the sections and subsections,
an ordered list for the 1. items, front matter or document properties for the title.

Nothing here needs Django or gongxin; the same pages and seed give the same text. Besides
the files, `build` returns the outline the generator wrote (depth, style, number and text
of every item as gongxin's parser should find them), which run.py checks the parse against.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

TITLE = "南昌市制造业高质量发展三年行动方案"
OFFICE = "南昌市人民政府办公室"
DOC_NUMBER = "洪府办发〔2026〕12号"
ISSUED = dt.date(2026, 3, 15)
CHARS_PER_PAGE = 1_500
LINE_UNITS = 72  # 36 CJK characters
INDENT_UNITS = 4  # the first line of a paragraph is indented two characters

CN = "零一二三四五六七八九"

_SECTIONS = [
    "提升产业链现代化水平", "加快制造业数字化转型", "推动工业绿色低碳发展", "强化科技创新引领",
    "培育壮大优质企业梯队", "扩大工业有效投资", "优化产业空间布局", "深化开放合作",
    "强化要素保障", "持续优化营商环境", "加强人才队伍建设", "提升质量品牌水平",
]  # fmt: skip
_VERBS = [
    "实施", "推进", "加快", "强化", "深化", "健全", "完善", "提升", "培育", "打造", "推动",
    "加大", "优化", "扩大", "构建", "开展", "落实", "拓展",
]  # fmt: skip
_OBJECTS = [
    "产业链协同发展", "重点项目建设", "企业梯度培育", "工业互联网平台建设", "绿色工厂创建",
    "技术改造升级", "创新平台建设", "园区提质增效", "中小企业服务", "要素保障能力",
    "产业链精准招商", "标准厂房建设", "智能制造示范", "质量品牌建设", "产融合作",
    "人才队伍建设", "数据要素应用", "安全生产监管", "首台套推广应用", "链主企业带动",
    "供需对接", "闲置低效用地盘活", "用能权交易", "节能降碳改造", "工业设计赋能",
    "检验检测服务", "产业基金引导", "军民融合发展", "服务型制造", "专精特新培育",
]  # fmt: skip
_OBJECT_ENDS = ["", "", "行动", "工程", "机制", "体系", "专项行动", "能力"]
_CHAINS = [
    "电子信息", "汽车及装备", "航空", "医药健康", "现代针纺", "新材料", "绿色食品", "VR",
    "新能源", "生物医药", "智能装备", "半导体照明",
]  # fmt: skip
_DISTRICTS = [
    "南昌县", "新建区", "进贤县", "安义县", "青山湖区", "青云谱区", "西湖区", "东湖区",
    "红谷滩区", "南昌经开区", "南昌高新区", "小蓝经开区", "湾里管理局",
]  # fmt: skip
_GROUPS = [
    "规上工业企业", "专精特新企业", "链主企业", "新升规企业", "重点用能企业", "高新技术企业",
    "亿元以上项目业主", "中小微企业", "外贸企业", "科技型中小企业",
]  # fmt: skip
_MECHANISMS = [
    "“月调度、季通报、年考核”", "“一企一策”", "“链长+链主+专班”", "“一个项目、一名领导、一个专班”",
    "“周调度、月督查”", "“揭榜挂帅”", "“免申即享”", "“亩均论英雄”",
]  # fmt: skip
_GOALS = [
    "各项任务按期落地见效", "工业经济运行在合理区间", "项目早开工、早投产、早达效",
    "企业诉求按期办结", "政策红利应享尽享", "产业链供应链安全稳定", "资源要素向优质企业集聚",
]  # fmt: skip
_METRICS = [
    ("规上工业增加值年均增长", "%", (6, 10), "左右"),
    ("工业投资增长", "%", (8, 15), "以上"),
    ("工业技改投资增长", "%", (10, 20), "以上"),
    ("规上工业企业数字化改造覆盖率达到", "%", (60, 90), "以上"),
    ("单位规上工业增加值能耗下降", "%", (2, 5), "左右"),
    ("新增规上工业企业", "家", (100, 300), "以上"),
    ("新增国家级专精特新“小巨人”企业", "家", (5, 20), ""),
    ("新建标准厂房", "万平方米", (50, 200), "以上"),
    ("滚动推进亿元以上技改项目", "个", (100, 300), "以上"),
    ("培育省级以上工业互联网平台", "个", (5, 15), ""),
    ("新增省级以上绿色工厂", "家", (10, 40), "以上"),
    ("组织银企对接活动", "场", (6, 20), "以上"),
    ("研发投入强度提高到", "%", (2, 4), ""),
]
# As documents write them: the demo departments' short and full names, some not in the
# demo vocabulary (市工信局 is the bureau of its divisions), and the districts as a group.
_OWNERS = [
    "市发改委", "市科技局", "市财政局", "市人社局", "市自然资源局", "市生态环境局", "市住建局",
    "市商务局", "市市场监管局", "市金融局", "市行政审批局", "市投促局", "南昌供电公司",
    "市工信局", "市工信局", "市工信局", "南昌市发展和改革委员会", "南昌市科学技术局",
    "各县（区）人民政府", "各开发区管委会",
]  # fmt: skip
_DEADLINES = [
    "2026年底前", "2027年底前", "2028年底前", "2026年6月底前", "2027年6月底前",
    "2026年第三季度末前", "每年12月底前", "长期坚持", "持续推进", "2026年上半年",
]  # fmt: skip

#: A continued line must not start like an item (the parser would start an item there).
_MARKER_LIKE = re.compile(
    r"[（(][一二三四五六七八九十\d]|\d{1,3}[.、．)）]|[一二三四五六七八九十百零〇两]+[、是.]"
)
_NO_START = set("，。、；：！？）》”’」』】%％")
_NO_END = set("（《“‘「『【")


def cn_numeral(value: int) -> str:
    if value < 10:
        return CN[value]
    if value < 20:
        return "十" + (CN[value % 10] if value % 10 else "")
    return CN[value // 10] + "十" + (CN[value % 10] if value % 10 else "")


@dataclass
class Item:
    """One item the parser should find: depth in the tree, style, number as written and
    the item's own text (after its marker; following unnumbered paragraphs joined by a
    line break)."""

    depth: int
    style: str
    number: str
    text: str


@dataclass
class Paragraph:
    text: str
    kind: str  # notice, title, preamble, section, subsection, item, subitem, body, tail


@dataclass
class PlanDocument:
    pages: int
    seed: int
    front: list[Paragraph]  # the covering notice, before the title
    body: list[Paragraph]  # from the preamble to the last item
    tail: list[Paragraph]  # copy-to line, issuing footer
    items: list[Item] = field(default_factory=list)
    text: str = ""  # the PDF-like text file

    @property
    def body_chars(self) -> int:
        return sum(len(p.text) for p in self.body)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.style] = counts.get(item.style, 0) + 1
        return counts


class _Writer:
    def __init__(self, rng: Random):
        self.rng = rng

    def pick(self, pool):
        return self.rng.choice(pool)

    def object(self) -> str:
        base, end = self.pick(_OBJECTS), self.pick(_OBJECT_ENDS)
        return base if base.endswith(("能力", "机制", "体系", "行动")) else base + end

    def heading(self) -> str:
        return self.pick(_VERBS) + self.object()

    def target(self) -> str:
        label, unit, (low, high), qualifier = self.pick(_METRICS)
        value = self.rng.randint(low, high)
        if unit == "%" and self.rng.random() < 0.3:
            value = f"{value}.{self.rng.randint(1, 9)}"
        return f"{label}{value}{unit}{qualifier}"

    def sentence(self) -> str:
        r = self.rng
        kind = r.randrange(8)
        if kind == 0:
            chains = "、".join(r.sample(_CHAINS, r.randint(2, 4)))
            return f"围绕{chains}等重点产业链，{self.heading()}，{self.heading()}。"
        if kind == 1:
            return f"力争到{r.choice((2026, 2027, 2028))}年，{self.target()}。"
        if kind == 2:
            return f"全年{self.target()}，{self.target()}。"
        if kind == 3:
            places = "、".join(r.sample(_DISTRICTS, r.randint(1, 3)))
            return f"支持{places}{self.heading()}，推动{self.object()}取得新突破。"
        if kind == 4:
            return (
                f"建立{self.pick(_MECHANISMS)}工作机制，{self.heading()}，确保{self.pick(_GOALS)}。"
            )
        if kind == 5:
            return (
                f"对{self.pick(_GROUPS)}实行{self.pick(_MECHANISMS)}精准服务，"
                f"{self.heading()}，{self.heading()}。"
            )
        if kind == 6:
            return (
                f"用好{self.pick(('设备更新贷款贴息', '技改专项资金', '产业引导基金', '首贷续贷'))}"
                f"等政策，引导{self.pick(_GROUPS)}加大投入，{self.heading()}。"
            )
        return f"加强与{self.pick(_OWNERS)}的沟通协调，{self.heading()}，提升{self.object()}水平。"

    def sentences(self, low: int, high: int) -> str:
        return "".join(self.sentence() for _ in range(self.rng.randint(low, high)))

    def annotation(self) -> str:
        r = self.rng
        owners = list(dict.fromkeys(r.choice(_OWNERS) for _ in range(r.randint(1, 4))))
        deadline = r.choice(_DEADLINES)
        if r.random() < 0.25 and len(owners) > 1:
            co = "、".join(owners[1:])
            return f"（牵头单位：{owners[0]}；配合单位：{co}；完成时限：{deadline}）"
        return f"（责任单位：{'、'.join(owners)}；完成时限：{deadline}）"

    def run_ins(self) -> tuple[str, list[tuple[str, str]]]:
        """An introduction ending in ：, then 一是…；二是…；三是…。"""
        count = self.rng.randint(2, 4)
        intro = f"重点抓好{cn_numeral(count)}个方面工作："
        parts = []
        for index in range(1, count + 1):
            clause = f"{self.heading()}，{self.heading()}"
            parts.append((cn_numeral(index), clause + ("；" if index < count else "。")))
        return intro, parts


def build(pages: int = 200, *, seed: int = 2026) -> PlanDocument:
    """The document of `pages` pages (about CHARS_PER_PAGE characters each)."""
    rng = Random(f"plans-{seed}")
    w = _Writer(rng)
    budget = pages * CHARS_PER_PAGE
    front = [
        Paragraph(f"{OFFICE}文件", "notice"),
        Paragraph(DOC_NUMBER, "notice"),
        Paragraph(f"{OFFICE}关于印发《{TITLE}》的通知", "notice"),
        Paragraph("各县（区）人民政府，各开发区管委会，市政府各部门：", "notice"),
        Paragraph(f"现将《{TITLE}》印发给你们，请结合实际，认真贯彻执行。", "notice"),
        Paragraph(OFFICE, "notice"),
        Paragraph(f"{ISSUED.year}年{ISSUED.month}月{ISSUED.day}日", "notice"),
    ]
    doc = PlanDocument(pages, seed, front, [], [])
    body = doc.body
    items = doc.items
    body.append(
        Paragraph(
            "为深入贯彻落实国家和省关于推进新型工业化的决策部署，加快建设先进制造业强市，"
            "推动全市制造业高质量发展，结合我市实际，制定本方案。",
            "preamble",
        )
    )
    n_sections = min(len(_SECTIONS) + 2, max(3, round(pages / 12)))
    titles = ["总体要求", *rng.sample(_SECTIONS, n_sections - 2), "保障措施"]
    # the last section (保障措施) is a few paragraphs: the others share the pages
    per_section = (budget - 3_000) / (n_sections - 1)
    item_number = 0

    def leaf(head: str, depth: int) -> tuple[str, str, list[Item]]:
        """A leaf paragraph after its marker: the whole text, the item's own text (before
        its run-in items) and the run-in items."""
        text = head + w.sentences(2, 5)
        runs: list[Item] = []
        if rng.random() < 0.2:
            intro, parts = w.run_ins()
            text += intro
            own = text
            for numeral, clause in parts:
                runs.append(Item(depth + 1, "cn_shi", numeral, clause))
                text += f"{numeral}是{clause}"
        if rng.random() < 0.75:
            note = w.annotation()
            text += note
            if runs:
                runs[-1].text += note
        return text, (own if runs else text), runs

    for s_index, s_title in enumerate(titles, start=1):
        start_chars = doc.body_chars
        if item_number > 900:  # the parser reads 1. to 999. (and so would a reader)
            item_number = 0
        numeral = cn_numeral(s_index)
        body.append(Paragraph(f"{numeral}、{s_title}", "section"))
        section = Item(0, "cn_dun", numeral, s_title)
        items.append(section)
        if s_index == 1 or rng.random() < 0.5:
            intro = w.sentences(2, 4)
            body.append(Paragraph(intro, "body"))
            section.text += "\n" + intro
        sub = 0
        last_section = s_index == len(titles)
        while sub < 2 or doc.body_chars - start_chars < per_section:
            sub += 1
            heading = w.heading()
            sub_numeral = cn_numeral(sub)
            body.append(Paragraph(f"（{sub_numeral}）{heading}", "subsection"))
            subsection = Item(1, "cn_paren", sub_numeral, heading)
            items.append(subsection)
            if rng.random() < 0.4 or last_section:
                intro = w.sentences(1, 3)
                body.append(Paragraph(intro, "body"))
                subsection.text += "\n" + intro
            if last_section:  # 保障措施: a paragraph per subsection, no items
                if sub >= 4:
                    break
                continue
            for _ in range(rng.randint(3, 7)):
                item_number += 1
                head = w.heading() + "。"
                if rng.random() < 0.25:
                    text = head + w.sentences(1, 2)
                    body.append(Paragraph(f"{item_number}.{text}", "item"))
                    items.append(Item(2, "ar_dot", str(item_number), text))
                    for k in range(1, rng.randint(2, 4) + 1):
                        text, own, runs = leaf(w.heading() + "。", 3)
                        body.append(Paragraph(f"（{k}）{text}", "subitem"))
                        items.append(Item(3, "ar_paren", str(k), own))
                        items.extend(runs)
                else:
                    text, own, runs = leaf(head, 2)
                    body.append(Paragraph(f"{item_number}.{text}", "item"))
                    items.append(Item(2, "ar_dot", str(item_number), own))
                    items.extend(runs)
    doc.tail = [
        Paragraph("抄送：市委办公室，市人大常委会办公室，市政协办公室。", "tail"),
        Paragraph(f"{OFFICE} {ISSUED.year}年{ISSUED.month}月{ISSUED.day}日印发", "tail"),
    ]
    doc.text = _pdf_text(doc)
    return doc


# Layout --------------------------------------------------------------------------------------


def _units(char: str) -> int:
    return 1 if ord(char) < 0x2E80 and char not in "“”‘’—" else 2


def _bad_break(text: str, j: int) -> bool:
    before, after = text[j - 1], text[j]
    return (
        after in _NO_START
        or before in _NO_END
        or (before.isascii() and after.isascii() and not before.isspace() and not after.isspace())
        or bool(_MARKER_LIKE.match(text, j))
    )


def wrap(text: str) -> list[str]:
    """The lines a PDF would hold for one paragraph."""
    lines = []
    i = 0
    capacity = LINE_UNITS - INDENT_UNITS
    while i < len(text):
        j, used = i, 0
        while j < len(text) and used + _units(text[j]) <= capacity:
            used += _units(text[j])
            j += 1
        if j < len(text):
            k = j
            while k > i + 8 and _bad_break(text, k):
                k -= 1
            j = k
        lines.append(text[i:j])
        i = j
        capacity = LINE_UNITS
    return lines


def _pdf_text(doc: PlanDocument) -> str:
    """The document as a PDF's extracted text: broken lines, page numbers and headers."""
    lines: list[str] = []
    for paragraph in doc.front:
        if paragraph.text.endswith("。"):
            lines += wrap(paragraph.text)
        else:
            lines.append(paragraph.text)
        if paragraph.text.endswith(("文件", "号", "通知", "执行。", "日")):
            lines.append("")
    lines.append(TITLE)
    for paragraph in doc.body:
        lines += wrap(paragraph.text)
    lines.append("")
    lines += [p.text for p in doc.tail]
    out: list[str] = []
    for page in range(doc.pages):
        chunk = lines[len(lines) * page // doc.pages : len(lines) * (page + 1) // doc.pages]
        if page:
            out.append(TITLE)  # the running header
        out += chunk
        out.append(f"- {page + 1} -")
    return "\n".join(out) + "\n"


def _markdown(doc: PlanDocument) -> str:
    out = [
        "---",
        f'title: "{TITLE}"',
        f"date: {ISSUED.isoformat()}",
        f'author: "{OFFICE}"',
        f'number: "{DOC_NUMBER}"',
        "---",
        "",
    ]
    for paragraph in doc.body:
        text = paragraph.text
        if paragraph.kind == "section":
            text = "## " + text
        elif paragraph.kind == "subsection":
            text = "### " + text
        elif paragraph.kind == "item":
            number, rest = text.split(".", 1)
            text = f"{number}. {rest}"
        out += [text, ""]
    return "\n".join(out)


def _docx(doc: PlanDocument, path: Path) -> None:
    import docx

    document = docx.Document()
    props = document.core_properties
    props.title = TITLE
    props.author = OFFICE
    props.created = props.modified = dt.datetime(2026, 3, 15, 9, 0)
    for paragraph in doc.front:
        document.add_paragraph(paragraph.text)
    document.add_paragraph(TITLE, style="Title")
    styles = {"section": "Heading 1", "subsection": "Heading 2"}
    for paragraph in doc.body:
        document.add_paragraph(paragraph.text, style=styles.get(paragraph.kind))
    for paragraph in doc.tail:
        document.add_paragraph(paragraph.text)
    document.save(str(path))


def write(doc: PlanDocument, directory: Path) -> dict[str, Path]:
    """Write the .txt, .md and .docx files (unless the text file there is already this
    document's); returns their paths by format."""
    base = directory / f"plan-{doc.pages}p-s{doc.seed}"
    paths = {fmt: base.with_suffix(f".{fmt}") for fmt in ("txt", "md", "docx")}
    current = paths["txt"].exists() and paths["txt"].read_text(encoding="utf-8") == doc.text
    if current and all(p.exists() for p in paths.values()):
        return paths
    directory.mkdir(parents=True, exist_ok=True)
    paths["md"].write_text(_markdown(doc), encoding="utf-8")
    _docx(doc, paths["docx"])
    paths["txt"].write_text(doc.text, encoding="utf-8")  # last: it marks the set complete
    return paths
