"""`reading.read` turns a file of any supported format into paragraphs; what cannot be read
is a DocumentError with a message naming the file, never another exception.

Fixtures (tests/fixtures/):
- plan-print.pdf: plan-print.source.html printed once with
  `chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer
  --print-to-pdf=plan-print.pdf plan-print.source.html` (font: WenQuanYi Micro Hei).
- plan-print-aes.pdf: plan-print.pdf encrypted by pypdf with an empty user password and
  its encryption dictionary labelled AESV2 (/V 4 /R 4), as many published PDFs are: it
  opens without a password, but its streams need an AES implementation.
- notice-gb18030.txt: a plan with its covering notice, GB18030 with CRLF line ends.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
import pypdf
import pypdf.errors
import pytest
from django.utils import translation

from gongxin.plans.parser import Node, parse
from gongxin.plans.reading import MAX_BYTES, MAX_CHARS, DocumentError, read

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def outline(nodes: list[Node]) -> list[tuple]:
    return [(node.number, node.title, outline(node.children)) for node in nodes]


def read_bytes(data: bytes, name: str = "plan.txt"):
    return read(io.BytesIO(data), name=name)


PLAIN = "一、重点任务\n（一）推进技术改造。实施一批技改项目。\n（二）培育优质企业。壮大企业梯队。\n"
PLAIN_OUTLINE = [("一", "重点任务", [("一", "推进技术改造", []), ("二", "培育优质企业", [])])]


# ---------------------------------------------------------------------------------------
# Plain text


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param(PLAIN.encode("utf-8"), id="utf-8"),
        pytest.param(codecs.BOM_UTF8 + PLAIN.encode("utf-8"), id="utf-8-bom"),
        pytest.param(PLAIN.encode("gb18030"), id="gb18030"),
        pytest.param(PLAIN.encode("gbk"), id="gbk"),
        pytest.param(PLAIN.encode("utf-16"), id="utf-16"),
        pytest.param(codecs.BOM_UTF16_LE + PLAIN.encode("utf-16-le"), id="utf-16-le-bom"),
        pytest.param(codecs.BOM_UTF16_BE + PLAIN.encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(PLAIN.replace("\n", "\r\n").encode("gbk"), id="gbk-crlf"),
        pytest.param(PLAIN.replace("\n", "\r").encode("utf-8"), id="utf-8-cr"),
    ],
)
def test_plain_text_in_each_encoding(encoded):
    source = read_bytes(encoded)
    assert source.format == "text"
    assert source.wrapped
    assert [block.text for block in source.blocks] == [PLAIN]
    assert outline(parse(source).tasks) == PLAIN_OUTLINE


def test_utf16_without_a_bom_is_refused_with_a_message():
    with pytest.raises(DocumentError, match="plan.txt is neither text"):
        read_bytes(PLAIN.encode("utf-16-le"))


def test_a_gb18030_notice_with_crlf_lines():
    with open(FIXTURES / "notice-gb18030.txt", "rb") as handle:
        source = read(handle, name="notice-gb18030.txt")
    plan = parse(source)
    assert (plan.title, plan.number, plan.author, plan.date) == (
        "某县制造业招商引资工作方案",
        "某工信字〔2025〕21号",
        "某县工业和信息化局",
        dt.date(2025, 5, 20),
    )
    assert plan.preamble == "为进一步扩大有效投资，壮大制造业规模，制定本方案。"
    assert outline(plan.tasks) == [
        ("一", "工作目标", []),
        ("二", "重点任务", [("一", "开展产业链精准招商", []), ("二", "强化项目落地服务", [])]),
        ("三", "保障措施", [("一", "加强组织领导", []), ("二", "落实考核奖励", [])]),
    ]
    # A four-byte GB18030 character (outside GBK) and a line broken mid-sentence.
    assert plan.tasks[1].children[1].text == (
        "强化项目落地服务。对签约项目实行全程代办，推动𠮷安科技园等项目尽快开工。"
    )


# ---------------------------------------------------------------------------------------
# Markdown

FRONT_MATTER = """---
title: 某区工业发展行动方案
date: 2025-04-01
author: 某区工信局
number: 某工信字〔2025〕9号
---

为推动全区工业发展，制定本方案。

## 一、重点任务

### （一）推进技术改造

1. 开展诊断。组织专家走进企业。
2. 推广应用。扩大覆盖范围。

### （二）培育优质企业

3. 壮大龙头企业。引进链主项目。
4. 培育专精特新。加大支持力度。

## 二、保障措施

加强组织领导，成立工作专班。
"""


def test_markdown_with_front_matter_and_lists_that_keep_counting():
    source = read_bytes(FRONT_MATTER.encode(), "plan.md")
    assert source.format == "markdown"
    assert not source.wrapped
    assert source.meta["title"] == "某区工业发展行动方案"
    assert source.meta["date"] == dt.date(2025, 4, 1)
    assert [(block.heading, block.text) for block in source.blocks] == [
        (0, "为推动全区工业发展，制定本方案。"),
        (2, "一、重点任务"),
        (3, "（一）推进技术改造"),
        (0, "1. 开展诊断。组织专家走进企业。"),
        (0, "2. 推广应用。扩大覆盖范围。"),
        (3, "（二）培育优质企业"),
        (0, "3. 壮大龙头企业。引进链主项目。"),
        (0, "4. 培育专精特新。加大支持力度。"),
        (2, "二、保障措施"),
        (0, "加强组织领导，成立工作专班。"),
    ]
    plan = parse(source)
    assert (plan.title, plan.author, plan.number, plan.date) == (
        "某区工业发展行动方案",
        "某区工信局",
        "某工信字〔2025〕9号",
        dt.date(2025, 4, 1),
    )
    assert plan.preamble == "为推动全区工业发展，制定本方案。"
    assert outline(plan.tasks) == [
        (
            "一",
            "重点任务",
            [
                ("一", "推进技术改造", [("1", "开展诊断", []), ("2", "推广应用", [])]),
                ("二", "培育优质企业", [("3", "壮大龙头企业", []), ("4", "培育专精特新", [])]),
            ],
        ),
        ("二", "保障措施", []),
    ]
    assert plan.tasks[1].text == "保障措施\n加强组织领导，成立工作专班。"


def test_markdown_without_front_matter_takes_its_title_from_the_first_heading():
    source = read_bytes(
        "# 某区招商引资工作要点\n\n"
        "## 一、工作目标\n\n全年引进项目五十个。\n\n"
        "## 二、重点任务\n\n"
        "1. 开展精准招商。绘制招商图谱。\n"
        "2. 强化落地服务。实行全程代办。\n".encode(),
        "points.md",
    )
    assert source.format == "markdown"
    assert source.blocks[0].heading == 1
    plan = parse(source)
    assert plan.title == "某区招商引资工作要点"
    assert outline(plan.tasks) == [
        ("一", "工作目标", []),
        ("二", "重点任务", [("1", "开展精准招商", []), ("2", "强化落地服务", [])]),
    ]


def test_markdown_with_html_paragraphs_and_a_links_only_line():
    source = read_bytes(
        "---\ntitle: 某县工业发展综述\ndate: 2024-02-03 08:00:00 +0800\n---\n"
        "<p>某某某</p>\n"
        "<p>今年以来，全县工业稳中有进。</p>\n"
        " <p>一、稳住工业运行</p>\n"
        " <p>一是加强监测。按月调度。二是强化服务。走访企业。</p>\n"
        " <p>二、扩大有效投资</p>\n"
        " <p>一是抓好项目。滚动推进。</p>\n\n"
        "[返回首页](//example.cn/)｜[返回新闻](//example.cn/news)\n".encode(),
        "article.md",
    )
    assert source.format == "markdown"
    assert "返回首页" not in " ".join(block.text for block in source.blocks)
    plan = parse(source)
    assert (plan.title, plan.author, plan.date) == (
        "某县工业发展综述",
        "某某某",
        dt.date(2024, 2, 3),
    )
    assert plan.preamble == "今年以来，全县工业稳中有进。"
    assert outline(plan.tasks) == [
        ("一", "稳住工业运行", [("一", "加强监测", []), ("二", "强化服务", [])]),
        ("二", "扩大有效投资", [("一", "抓好项目", [])]),
    ]


def test_the_seed_article_is_read_as_markdown_with_its_front_matter():
    with open(DATA / "nanchang-2022.md", "rb") as handle:
        source = read(handle, name="nanchang-2022.md")
    assert source.format == "markdown"
    assert source.meta["title"] == "全力推动南昌工业高质量跨越式发展实现新突破"
    assert source.blocks[0].text == "唐艳华"
    assert (
        sum(block.text.startswith(("一、", "二、", "三、", "四、")) for block in source.blocks) == 4
    )


# ---------------------------------------------------------------------------------------
# HTML

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>某县招商引资工作方案</title>
<meta name="author" content="某县商务局"><meta name="date" content="2025-05-06">
<style>p { color: red; } .样式泄漏 {}</style>
<script>var 脚本泄漏 = "一、不该出现";</script>
</head><body>
<nav><a href="/">首页</a> <a href="/news">一、导航泄漏</a></nav>
<h1>某县招商引资工作方案</h1>
<p>为扩大招商成果，制定本方案。</p>
<h2>一、工作目标</h2>
<p>全年引进项目<b>五十个</b>以上。</p>
<h2>二、重点措施</h2>
<h3>（一）开展精准招商</h3>
<p>围绕主导产业招商。<br>建立重点项目库。</p>
<h3>（二）优化项目服务</h3>
<ol><li>推行代办服务。</li><li>压缩审批时限。</li></ol>
<footer>版权所有 页脚泄漏</footer>
<script>document.write("二、脚本输出泄漏")</script>
</body></html>
"""


def test_html_leaves_out_scripts_styles_navigation_and_footers():
    source = read_bytes(PAGE.encode(), "plan.html")
    assert source.format == "html"
    assert source.meta == {
        "page_title": "某县招商引资工作方案",  # a hint: a notice or heading in the page wins
        "author": "某县商务局",
        "date": "2025-05-06",
    }
    assert [(block.heading, block.text) for block in source.blocks] == [
        (1, "某县招商引资工作方案"),
        (0, "为扩大招商成果，制定本方案。"),
        (2, "一、工作目标"),
        (0, "全年引进项目五十个以上。"),
        (2, "二、重点措施"),
        (3, "（一）开展精准招商"),
        (0, "围绕主导产业招商。"),
        (0, "建立重点项目库。"),
        (3, "（二）优化项目服务"),
        (0, "1. 推行代办服务。"),
        (0, "2. 压缩审批时限。"),
    ]
    assert "泄漏" not in "".join(block.text for block in source.blocks)
    plan = parse(source)
    assert (plan.title, plan.author, plan.date) == (
        "某县招商引资工作方案",
        "某县商务局",
        dt.date(2025, 5, 6),
    )
    assert outline(plan.tasks) == [
        ("一", "工作目标", []),
        (
            "二",
            "重点措施",
            [
                ("一", "开展精准招商", []),
                ("二", "优化项目服务", [("1", "推行代办服务", []), ("2", "压缩审批时限", [])]),
            ],
        ),
    ]
    assert plan.tasks[1].children[0].text == "开展精准招商\n围绕主导产业招商。\n建立重点项目库。"


def test_an_html_fragment_in_gbk():
    fragment = (
        "<p>一、加强运行调度</p><p>（一）建立调度机制。按月分析。</p>"
        "<div>（二）开展走访。帮扶企业。</div>"
    )
    source = read_bytes(fragment.encode("gbk"), "fragment.htm")
    assert source.format == "html"
    assert outline(parse(source).tasks) == [
        ("一", "加强运行调度", [("一", "建立调度机制", []), ("二", "开展走访", [])])
    ]


def test_an_ordered_list_with_a_start_number():
    source = read_bytes(
        '<h2>二、重点任务</h2><ol start="4"><li><p>推进技改。实施项目。</p></li>'
        "<li><p>培育企业。加大力度。</p></li></ol>".encode(),
        "list.html",
    )
    assert [block.text for block in source.blocks] == [
        "二、重点任务",
        "4. 推进技改。实施项目。",
        "5. 培育企业。加大力度。",
    ]


# ---------------------------------------------------------------------------------------
# Word


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.core_properties.title = "某区工业园区提质增效方案"
    document.core_properties.author = "某区工信局"
    document.core_properties.created = dt.datetime(2025, 7, 1, 9, 0)
    document.add_paragraph("为提升园区发展质量，制定本方案。")
    document.add_paragraph("一、提升园区承载能力", style="Heading 2")
    document.add_paragraph("（一）完善基础设施。加快道路和管网建设。")
    document.add_paragraph("（二）盘活闲置用地。清理低效用地。")
    document.add_paragraph("二、强化项目支撑", style="Heading 2")
    document.add_paragraph("（一）建立项目清单。")
    table = document.add_table(rows=3, cols=3)
    rows = [
        ("项目", "责任单位", "完成时限"),
        ("标准厂房", "区工信局", "2025年底前"),
        ("道路改造", "区住建局", "2026年6月底前"),
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    paragraph = document.add_paragraph("（二）加强要素保障。")
    paragraph.add_run().add_break()
    paragraph.add_run("优先保障项目用地。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_document_with_headings_a_table_and_properties():
    source = read_bytes(_docx_bytes(), "plan.docx")
    assert source.format == "docx"
    assert source.meta == {
        "title": "某区工业园区提质增效方案",
        "author": "某区工信局",
        "created": dt.date(2025, 7, 1),
    }
    assert [(block.heading, block.text) for block in source.blocks] == [
        (0, "为提升园区发展质量，制定本方案。"),
        (2, "一、提升园区承载能力"),
        (0, "（一）完善基础设施。加快道路和管网建设。"),
        (0, "（二）盘活闲置用地。清理低效用地。"),
        (2, "二、强化项目支撑"),
        (0, "（一）建立项目清单。"),
        (0, "项目｜责任单位｜完成时限"),  # a table row: its cells kept apart
        (0, "标准厂房｜区工信局｜2025年底前"),
        (0, "道路改造｜区住建局｜2026年6月底前"),
        (0, "（二）加强要素保障。"),
        (0, "优先保障项目用地。"),
    ]
    plan = parse(source)
    assert (plan.title, plan.author) == ("某区工业园区提质增效方案", "某区工信局")
    assert plan.preamble == "为提升园区发展质量，制定本方案。"
    assert outline(plan.tasks) == [
        ("一", "提升园区承载能力", [("一", "完善基础设施", []), ("二", "盘活闲置用地", [])]),
        ("二", "强化项目支撑", [("一", "建立项目清单", []), ("二", "加强要素保障", [])]),
    ]
    listing = plan.tasks[1].children[0].text
    # The table's rows stay with the item they follow, row by row and cell by cell.
    assert listing.split("\n")[0] == "建立项目清单。"
    assert [
        line.startswith(("项目", "标准厂房", "道路改造")) for line in listing.split("\n")[1:]
    ] == [
        True,
        True,
        True,
    ]
    assert "区住建局" in listing and "2026年6月底前" in listing
    assert plan.tasks[1].children[1].text == "加强要素保障。\n优先保障项目用地。"


# ---------------------------------------------------------------------------------------
# PDF


def test_the_pdf_fixture_is_small():
    assert (FIXTURES / "plan-print.pdf").stat().st_size < 100 * 1024


def test_a_pdf_printed_from_a_browser():
    with open(FIXTURES / "plan-print.pdf", "rb") as handle:
        source = read(handle, name="plan-print.pdf")
    assert source.format == "pdf"
    assert source.wrapped
    assert source.meta["title"] == "某市中小企业数字化赋能三年行动方案"
    plan = parse(source)
    assert (plan.title, plan.author, plan.date) == (
        "某市中小企业数字化赋能三年行动方案",
        "某市工业和信息化局",
        dt.date(2025, 6, 18),
    )
    assert plan.preamble == (
        "为加快推动中小企业数字化转型，提升中小企业专业化、精细化发展水平，"
        "结合本市中小企业发展实际，制定本行动方案。"
    )
    assert outline(plan.tasks) == [
        ("一", "总体目标", []),
        (
            "二",
            "重点任务",
            [
                (
                    "一",
                    "夯实数字化基础",
                    [("1", "开展免费诊断服务", []), ("2", "推广轻量化应用", [])],
                ),
                ("二", "培育转型标杆", [("3", "遴选标杆企业", []), ("4", "建设示范园区", [])]),
            ],
        ),
        (
            "三",
            "保障措施",
            [("一", "加强组织领导", []), ("二", "加大资金支持", []), ("三", "强化宣传引导", [])],
        ),
    ]
    diagnosis = plan.tasks[1].children[0].children[0]
    # Four printed lines, joined back into one paragraph.
    assert diagnosis.text == (
        "开展免费诊断服务。组织专业服务机构深入园区和企业，为中小企业提供数字化诊断，"
        "逐户出具诊断报告和改造建议，帮助企业找准转型方向和突破口。"
        "（责任单位：市工信局、市财政局；完成时限：2026年6月底前）"
    )
    # The item that ends page 1 is followed by page 2's running header: dropped.
    assert plan.tasks[1].children[0].children[1].text == (
        "推广轻量化应用。鼓励服务商开发成本低、部署快的云端应用，降低中小企业上云用云门槛，"
        "每年组织供需对接活动不少于10场。"
    )
    every_text = "\n".join(node.text for node in plan.walk())
    assert "- 1 -" not in every_text and "- 3 -" not in every_text
    assert "行动方案" not in every_text


def _encrypted(user_password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=FIXTURES / "plan-print.pdf")
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_pdf_that_needs_a_password_is_refused():
    with pytest.raises(DocumentError, match="locked.pdf is an encrypted PDF"):
        read_bytes(_encrypted("secret"), "locked.pdf")


def test_a_pdf_encrypted_with_an_empty_password_is_read():
    plan = parse(read_bytes(_encrypted(""), "permissions.pdf"))
    assert [node.title for node in plan.tasks] == ["总体目标", "重点任务", "保障措施"]


def test_an_aes_encrypted_pdf_gives_its_text_or_a_document_error():
    data = (FIXTURES / "plan-print-aes.pdf").read_bytes()
    try:
        source = read_bytes(data, "aes.pdf")
    except DocumentError as error:
        assert "aes.pdf" in str(error)
    else:
        assert parse(source).tasks


def test_a_pdf_without_text_says_it_needs_text_recognition():
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(DocumentError, match="scan.pdf holds no text"):
        read_bytes(buffer.getvalue(), "scan.pdf")


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_a_truncated_pdf_is_a_document_error(fraction):
    data = (FIXTURES / "plan-print.pdf").read_bytes()
    with pytest.raises(DocumentError, match="cut.pdf cannot be read as a PDF"):
        read_bytes(data[: int(len(data) * fraction)], "cut.pdf")


def test_a_pdf_with_overwritten_bytes_is_a_document_error():
    data = bytearray((FIXTURES / "plan-print.pdf").read_bytes())
    data[2000:2400] = b"A" * 400
    with pytest.raises(DocumentError, match="damaged.pdf cannot be read as a PDF"):
        read_bytes(bytes(data), "damaged.pdf")


# ---------------------------------------------------------------------------------------
# Garbage


def _zip(files: dict[str, bytes | str]) -> bytes:
    """The same bytes whenever it runs (a fixed date in the headers): the parameters of
    the tests below are collected by each xdist worker, and must agree."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty.txt is empty."),
        ("blank.txt", b"  \r\n\t \n ", "blank.txt is empty."),
        ("photo.txt", bytes(range(256)) * 40, "photo.txt is neither text"),
        ("nul.txt", "一、推进\x00\x00\x00".encode(), "nul.txt is not a text document"),
        ("controls.txt", ("推进\x01\x02\x03" * 50).encode(), "controls.txt is not a text"),
        ("image.png.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "is neither text"),
        ("notes.docx", _zip({"notes.txt": "你好"}), "notes.docx is a ZIP archive but not a Word"),
        ("sheet.docx", _zip({"xl/workbook.xml": "<x/>"}), "sheet.docx is a ZIP archive but not"),
        ("junk.docx", b"PK\x03\x04junk", "junk.docx cannot be opened as a Word document"),
        (
            "parts.docx",
            _zip({"word/document.xml": "<w:document/>"}),
            "parts.docx cannot be opened as a Word document",
        ),
        ("short.pdf", b"%PDF-1.4 garbage", "short.pdf cannot be read as a PDF"),
        ("noise.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 12, "noise.pdf cannot be read"),
        (
            "trailer.pdf",
            b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
            b"trailer\n<< /Root 1 0 R /Encrypt 5 0 R >>\n%%EOF",
            "trailer.pdf cannot be read as a PDF",
        ),
    ],
)
def test_garbage_gets_a_document_error_naming_the_file(name, data, message):
    with pytest.raises(DocumentError) as refused:
        read_bytes(data, name)
    assert message in str(refused.value)


def test_without_a_name_the_message_says_the_file():
    with pytest.raises(DocumentError, match="^the file is empty"):
        read(io.BytesIO(b""))


def _damaged_docx(part: str, content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(_docx_bytes())) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files[part] = content
    return _zip(files)


@pytest.mark.parametrize(
    ("part", "content"),
    [
        ("word/document.xml", b"<w:document garbage"),
        ("word/document.xml", b'<?xml version="1.0"?><root/>'),
        ("[Content_Types].xml", b"garbage"),
    ],
    ids=["broken-xml", "wrong-root", "broken-content-types"],
)
def test_a_word_document_with_a_damaged_part_is_a_document_error(part, content):
    with pytest.raises(DocumentError, match="damaged.docx"):
        read_bytes(_damaged_docx(part, content), "damaged.docx")


def _empty_plan_or_refused(data: bytes, name: str):
    """A file with nothing to split: a DocumentError naming it, or a plan that warns."""
    try:
        source = read_bytes(data, name)
    except DocumentError as error:
        assert name in str(error)
        return
    plan = parse(source)
    assert plan.warnings, f"{name}: {len(plan.tasks)} tasks and no warning"


def test_an_html_page_with_scripts_only():
    page = (
        "<html><head><script>var plan = '一、重点任务';</script></head>"
        "<body><script>document.write('（一）推进');</script><style>p {}</style></body></html>"
    )
    _empty_plan_or_refused(page.encode(), "scripts.html")


@pytest.mark.parametrize(
    "data",
    ["\u3000\u3000\n\u3000\n".encode(), codecs.BOM_UTF8 + b"\n \n", "\u3000".encode("gb18030")],
    ids=["ideographic-spaces", "bom-and-newlines", "gb18030-ideographic-space"],
)
def test_a_file_of_chinese_whitespace_is_empty(data):
    _empty_plan_or_refused(data, "blank.txt")


def test_a_fifty_megabyte_file_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "huge.txt"
    line = ("一、推进产业发展。" * 20 + "\n").encode()
    with open(path, "wb") as handle:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            handle.write(line)
    assert path.stat().st_size > 50 * 1024 * 1024
    with open(path, "rb") as handle:
        with pytest.raises(DocumentError) as refused:
            read(handle, name="huge.txt")
        # read() stops just past the limit: the rest of the file is never read.
        assert handle.tell() == MAX_BYTES + 1
    assert str(refused.value) == (
        f"huge.txt is larger than {MAX_BYTES // (1024 * 1024)} MB; a plan document is far smaller."
    )


def test_a_text_over_max_chars_is_refused_with_its_length():
    unit = "推进产业发展。\n"
    text = unit * (MAX_CHARS // len(unit) + 1)
    data = text.encode()
    assert len(data) < MAX_BYTES  # the character limit, not the size limit, refuses it
    with pytest.raises(DocumentError) as refused:
        read_bytes(data, "long.txt")
    assert str(refused.value) == (
        f"long.txt holds {len(text):,} characters; more than a plan document can."
    )


def test_a_text_just_under_max_chars_is_read():
    text = "一、推进产业发展。\n" + "加" * (MAX_CHARS - 20) + "。\n"
    assert len(text) <= MAX_CHARS
    source = read_bytes(text.encode(), "long.txt")
    assert source.format == "text"


# A bold heading run in with its text ------------------------------------------------------


def _outline_with_text(plan):
    return [(t.marker, t.title, t.text) for t in plan.walk()]


def test_a_bold_heading_at_the_start_of_an_html_paragraph_is_its_title():
    page = (
        "<html><body><p>某区行动方案</p>"
        "<p><strong>一、总体要求</strong>坚持稳中求进。全年增长6%。</p>"
        "<p><b>（一）加快技改</b>支持企业更新设备。</p>"
        "<p><strong>（二）强化服务。</strong>开展走访。</p></body></html>"
    )
    plan = parse(read_bytes(page.encode(), "plan.html"))
    assert _outline_with_text(plan) == [
        ("一、", "总体要求", "总体要求\n坚持稳中求进。全年增长6%。"),
        ("（一）", "加快技改", "加快技改\n支持企业更新设备。"),
        ("（二）", "强化服务", "强化服务。开展走访。"),  # its own 。 ends the heading already
    ]


def test_a_bold_heading_at_the_start_of_a_word_paragraph_is_its_title():
    document = docx.Document()
    document.add_paragraph("某区行动方案")
    for heading, body in (
        ("一、总体要求", "坚持稳中求进。"),
        ("（一）加快技改", "支持企业更新设备。"),
    ):
        paragraph = document.add_paragraph()
        paragraph.add_run(heading).bold = True
        paragraph.add_run(body)
    buffer = io.BytesIO()
    document.save(buffer)
    plan = parse(read_bytes(buffer.getvalue(), "plan.docx"))
    assert _outline_with_text(plan) == [
        ("一、", "总体要求", "总体要求\n坚持稳中求进。"),
        ("（一）", "加快技改", "加快技改\n支持企业更新设备。"),
    ]
