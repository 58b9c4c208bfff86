"""The parser turns a plan document's paragraphs into a tree of numbered tasks.

Each test feeds a short text written for it (one numbering habit of Chinese government
documents per test) and asserts the exact tree: numbers, titles, nesting, and that the
text of every item is kept. The property tests at the end render random trees back to
text and parse them again.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gongxin.plans import reading
from gongxin.plans.parser import (
    STYLES,
    TITLE_MAX,
    Block,
    Node,
    Source,
    cn_number,
    cn_numeral,
    key_of,
    marker_text,
    parse,
    parse_text,
    render,
    title_of,
)

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def outline(nodes: list[Node]) -> list[tuple]:
    """The tree as (number, title, children) — what a reader of the plan sees."""
    return [(node.number, node.title, outline(node.children)) for node in nodes]


def texts(nodes: list[Node]) -> list[tuple]:
    return [(node.number, node.text, texts(node.children)) for node in nodes]


def styles(nodes: list[Node]) -> list[tuple]:
    return [(node.style, node.marker, styles(node.children)) for node in nodes]


# ---------------------------------------------------------------------------------------
# Numbering styles


def test_the_conventional_three_levels_nest():
    plan = parse_text(
        "一、总体要求\n"
        "（一）指导思想。坚持稳中求进，推动工业提质增效。\n"
        "（二）主要目标。到年底规上工业增加值稳步增长。\n"
        "二、重点任务\n"
        "（一）推进技术改造。实施一批技改项目。\n"
        "1.开展诊断服务。组织专家走进企业。\n"
        "2.推广典型案例。每季度发布一批案例。\n"
        "（二）培育优质企业。加大梯度培育力度。\n"
        "三、保障措施\n"
        "（一）加强组织领导。成立工作专班。\n"
    )
    assert outline(plan.tasks) == [
        ("一", "总体要求", [("一", "指导思想", []), ("二", "主要目标", [])]),
        (
            "二",
            "重点任务",
            [
                ("一", "推进技术改造", [("1", "开展诊断服务", []), ("2", "推广典型案例", [])]),
                ("二", "培育优质企业", []),
            ],
        ),
        ("三", "保障措施", [("一", "加强组织领导", [])]),
    ]
    assert styles(plan.tasks)[1] == (
        "cn_dun",
        "二、",
        [
            ("cn_paren", "（一）", [("ar_dot", "1.", []), ("ar_dot", "2.", [])]),
            ("cn_paren", "（二）", []),
        ],
    )
    item = plan.tasks[1].children[0].children[1]
    assert item.text == "推广典型案例。每季度发布一批案例。"
    assert plan.tasks[0].children[1].text == "主要目标。到年底规上工业增加值稳步增长。"
    assert plan.title == "总体要求"  # no title line: the first item names the plan
    assert plan.warnings == []


def test_half_and_full_width_parentheses_are_one_level():
    plan = parse_text(
        "(一)加强统筹协调。建立联席会议制度。\n"
        "（二）强化资金保障。落实专项资金。\n"
        "(三) 营造良好氛围。加强政策宣传。\n"
    )
    assert outline(plan.tasks) == [
        ("一", "加强统筹协调", []),
        ("二", "强化资金保障", []),
        ("三", "营造良好氛围", []),
    ]
    assert [node.marker for node in plan.tasks] == ["(一)", "（二）", "(三)"]
    assert {node.style for node in plan.tasks} == {"cn_paren"}


def test_arabic_dot_comma_and_full_width_dot_are_one_level():
    plan = parse_text(
        "一、重点任务\n"
        "1.开展调研摸底。摸清企业底数。\n"
        "2、编制专项规划。明确发展路径。\n"
        "3．建立项目库。实行动态管理。\n"
    )
    assert outline(plan.tasks) == [
        (
            "一",
            "重点任务",
            [("1", "开展调研摸底", []), ("2", "编制专项规划", []), ("3", "建立项目库", [])],
        )
    ]
    assert [node.marker for node in plan.tasks[0].children] == ["1.", "2、", "3．"]


def test_arabic_numbers_in_parentheses_are_one_level_below_arabic_dots():
    plan = parse_text(
        "1.培育龙头企业。支持企业兼并重组。\n"
        "（1）引进链主企业。开展精准招商。\n"
        "(2)壮大本地企业。给予技改补助。\n"
        "3)扶持配套企业。组织供需对接。\n"
        "2.建设特色园区。完善园区配套。\n"
    )
    assert outline(plan.tasks) == [
        (
            "1",
            "培育龙头企业",
            [("1", "引进链主企业", []), ("2", "壮大本地企业", []), ("3", "扶持配套企业", [])],
        ),
        ("2", "建设特色园区", []),
    ]
    assert {child.style for child in plan.tasks[0].children} == {"ar_paren"}


def test_parenthesised_digit_characters_are_items():
    plan = parse_text(
        "（一）优化产业布局。推动错位发展。\n"
        "⑴做强主导产业。扩大产业规模。\n"
        "⑵培育新兴产业。布局未来产业。\n"
    )
    assert outline(plan.tasks) == [
        ("一", "优化产业布局", [("1", "做强主导产业", []), ("2", "培育新兴产业", [])])
    ]
    assert [child.marker for child in plan.tasks[0].children] == ["⑴", "⑵"]


def test_circled_numbers_are_items():
    plan = parse_text(
        "1.完善园区设施。提升承载能力。\n"
        "①建设标准厂房。新建厂房十万平方米。\n"
        "②完善道路管网。改造园区道路。\n"
    )
    assert outline(plan.tasks) == [
        ("1", "完善园区设施", [("1", "建设标准厂房", []), ("2", "完善道路管网", [])])
    ]
    assert {child.style for child in plan.tasks[0].children} == {"circled"}


def test_run_in_items_inside_one_paragraph():
    plan = parse_text(
        "一、强化要素保障\n"
        "要素保障是项目落地的关键。一是保障用地。优先安排重点项目用地指标。"
        "二是保障用能。做好迎峰度夏电力调度。三是保障资金。引导银行加大信贷投放。\n"
        "二、优化营商环境\n"
    )
    assert outline(plan.tasks) == [
        (
            "一",
            "强化要素保障",
            [("一", "保障用地", []), ("二", "保障用能", []), ("三", "保障资金", [])],
        ),
        ("二", "优化营商环境", []),
    ]
    section = plan.tasks[0]
    # The sentence before 一是 belongs to the section, each item keeps its own sentences.
    assert section.text == "强化要素保障\n要素保障是项目落地的关键。"
    assert [child.text for child in section.children] == [
        "保障用地。优先安排重点项目用地指标。",
        "保障用能。做好迎峰度夏电力调度。",
        "保障资金。引导银行加大信贷投放。",
    ]
    assert [child.marker for child in section.children] == ["一是", "二是", "三是"]


def test_run_in_items_after_semicolons_and_continued_in_the_next_paragraph():
    plan = parse_text(
        "（一）稳定工业运行。\n"
        "一是加强监测；二是强化调度；三是兑现政策。\n"
        "四是防范风险。建立预警机制。\n"
    )
    assert outline(plan.tasks) == [
        (
            "一",
            "稳定工业运行",
            [
                ("一", "加强监测", []),
                ("二", "强化调度", []),
                ("三", "兑现政策", []),
                ("四", "防范风险", []),
            ],
        )
    ]
    assert plan.tasks[0].children[3].text == "防范风险。建立预警机制。"


def test_run_in_items_separated_by_commas():
    plan = parse_text("（二）扩大有效投资。一是抓好项目，二是优化审批，三是保障要素。\n")
    assert outline(plan.tasks) == [
        (
            "二",
            "扩大有效投资",
            [("一", "抓好项目", []), ("二", "优化审批", []), ("三", "保障要素", [])],
        )
    ]


def test_run_in_headings_end_at_the_first_full_stop_or_colon():
    plan = parse_text(
        "（一）推进技术改造：支持企业更新设备，提高生产效率。\n"
        "（二）培育新兴产业。发展新材料，布局新能源。\n"
        "（三）开展对接活动；组织企业参加展会。\n"
        "（四）深入开展“大走访”活动，全年走访企业三千家次。\n"
    )
    assert [node.title for node in plan.tasks] == [
        "推进技术改造",
        "培育新兴产业",
        "开展对接活动",
        "深入开展“大走访”活动，全年走访企业三千家次",
    ]
    assert plan.tasks[0].text == "推进技术改造：支持企业更新设备，提高生产效率。"


def test_a_highest_level_of_cn_paren():
    plan = parse_text(
        "（一）全力稳住工业运行。确保运行在合理区间。\n"
        "（1）强化监测调度。按月分析运行情况。\n"
        "（2）开展走访帮扶。解决企业困难。\n"
        "（二）加大项目投资力度。坚持项目为王。\n"
        "（1）实施技术改造。滚动推进技改项目。\n"
    )
    assert outline(plan.tasks) == [
        (
            "一",
            "全力稳住工业运行",
            [("1", "强化监测调度", []), ("2", "开展走访帮扶", [])],
        ),
        ("二", "加大项目投资力度", [("1", "实施技术改造", [])]),
    ]


def test_a_highest_level_of_run_in_items():
    plan = parse_text(
        "一是加强组织领导。成立工作专班。\n"
        "1.明确分工。逐项落实责任。\n"
        "2.定期调度。每月召开调度会。\n"
        "二是强化督查考核。纳入年度考核。\n"
        "三是营造良好氛围。加强宣传报道。\n"
    )
    assert outline(plan.tasks) == [
        ("一", "加强组织领导", [("1", "明确分工", []), ("2", "定期调度", [])]),
        ("二", "强化督查考核", []),
        ("三", "营造良好氛围", []),
    ]
    assert {node.style for node in plan.tasks} == {"cn_shi"}


def test_arabic_numbers_keep_counting_across_sections():
    plan = parse_text(
        "一、夯实产业基础\n"
        "1.实施强链工程。引进关键项目。\n"
        "2.实施补链工程。补齐配套短板。\n"
        "二、提升创新能力\n"
        "3.建设创新平台。新建省级中心。\n"
        "4.攻关核心技术。实施揭榜挂帅。\n"
        "三、保障措施\n"
        "5.加强资金保障。统筹专项资金。\n"
    )
    assert outline(plan.tasks) == [
        ("一", "夯实产业基础", [("1", "实施强链工程", []), ("2", "实施补链工程", [])]),
        ("二", "提升创新能力", [("3", "建设创新平台", []), ("4", "攻关核心技术", [])]),
        ("三", "保障措施", [("5", "加强资金保障", [])]),
    ]


def test_a_skipped_level_nests_as_written():
    plan = parse_text(
        "一、重点任务\n"
        "1.推进技术改造。实施项目。\n"
        "2.培育优质企业。加大力度。\n"
        "二、保障措施\n"
        "（一）加强组织领导。成立专班。\n"
        "1.建立调度机制。定期调度。\n"
    )
    assert outline(plan.tasks) == [
        ("一", "重点任务", [("1", "推进技术改造", []), ("2", "培育优质企业", [])]),
        ("二", "保障措施", [("一", "加强组织领导", [("1", "建立调度机制", [])])]),
    ]


def test_full_width_digits():
    plan = parse_text(
        "（１）培育龙头企业。支持兼并重组。\n"
        "１．引进链主企业。开展精准招商。\n"
        "１０．壮大配套企业。组织供需对接。\n"
        "（２）建设特色园区。完善园区配套。\n"
    )
    assert outline(plan.tasks) == [
        ("1", "培育龙头企业", [("1", "引进链主企业", []), ("10", "壮大配套企业", [])]),
        ("2", "建设特色园区", []),
    ]
    # The number is read as ASCII; the marker stays as the document writes it.
    assert [node.marker for node in plan.tasks] == ["（１）", "（２）"]


def test_a_deep_mix_of_five_levels():
    plan = parse_text(
        "一、重点任务\n"
        "（一）壮大产业集群。\n"
        "1.做强电子信息产业。\n"
        "（1）发展智能终端。引进整机项目。\n"
        "①建设配套园区。新建厂房。\n"
        "②完善供应链。本地配套率提高。\n"
        "（2）发展新型显示。布局面板项目。\n"
        "2.做优装备制造产业。\n"
        "（二）提升创新能力。\n"
    )
    assert outline(plan.tasks) == [
        (
            "一",
            "重点任务",
            [
                (
                    "一",
                    "壮大产业集群",
                    [
                        (
                            "1",
                            "做强电子信息产业",
                            [
                                (
                                    "1",
                                    "发展智能终端",
                                    [("1", "建设配套园区", []), ("2", "完善供应链", [])],
                                ),
                                ("2", "发展新型显示", []),
                            ],
                        ),
                        ("2", "做优装备制造产业", []),
                    ],
                ),
                ("二", "提升创新能力", []),
            ],
        )
    ]


def test_a_deep_mix_from_chapter_to_arabic_parentheses():
    plan = parse_text(
        "第一章 发展基础\n"
        "第一节 产业规模\n"
        "一、工业总量\n"
        "（一）规上企业。企业数量持续增加。\n"
        "1.电子信息。营业收入稳步增长。\n"
        "（1）智能终端。产量较快增长。\n"
        "（2）新型显示。项目加快建设。\n"
        "2.装备制造。产业链条加快延伸。\n"
        "第二节 发展环境\n"
        "第二章 主要任务\n"
    )
    assert outline(plan.tasks) == [
        (
            "一",
            "发展基础",
            [
                (
                    "一",
                    "产业规模",
                    [
                        (
                            "一",
                            "工业总量",
                            [
                                (
                                    "一",
                                    "规上企业",
                                    [
                                        (
                                            "1",
                                            "电子信息",
                                            [("1", "智能终端", []), ("2", "新型显示", [])],
                                        ),
                                        ("2", "装备制造", []),
                                    ],
                                )
                            ],
                        )
                    ],
                ),
                ("二", "发展环境", []),
            ],
        ),
        ("二", "主要任务", []),
    ]
    assert [node.style for node in plan.tasks] == ["zhang", "zhang"]


# ---------------------------------------------------------------------------------------
# What real documents do


NOTICE = """某市工业和信息化局文件
某工信字〔2025〕12号
关于印发《某市工业稳增长工作方案》的通知
各县（区）工信局，局机关各科室：
现将《某市工业稳增长工作方案》印发给你们，请认真贯彻落实。
某市工业和信息化局
2025年3月5日
某市工业稳增长工作方案
为推动全市工业稳定增长，制定本方案。
一、加强运行调度
（一）建立月调度机制。按月分析运行情况。
（二）开展入企帮扶。走访重点企业。
二、加大项目投资
（一）推进重大项目建设。加快项目进度。
抄送：市政府办公室。
某市工业和信息化局办公室 2025年3月6日印发
"""


def test_a_covering_notice_is_not_a_section():
    plan = parse_text(NOTICE)
    assert plan.title == "某市工业稳增长工作方案"
    assert plan.number == "某工信字〔2025〕12号"
    assert plan.author == "某市工业和信息化局"
    assert str(plan.date) == "2025-03-05"
    assert plan.preamble == "为推动全市工业稳定增长，制定本方案。"
    assert outline(plan.tasks) == [
        ("一", "加强运行调度", [("一", "建立月调度机制", []), ("二", "开展入企帮扶", [])]),
        ("二", "加大项目投资", [("一", "推进重大项目建设", [])]),
    ]
    every_text = "\n".join(node.text for node in plan.walk())
    for leftover in ("印发给你们", "各县（区）工信局", "抄送", "印发"):
        assert leftover not in every_text
    assert plan.tasks[1].children[0].text == "推进重大项目建设。加快项目进度。"


def test_a_covering_notice_in_traditional_characters_with_a_chinese_date():
    plan = parse_text(
        "某縣工業和信息化局文件\n"
        "某工信發〔2025〕7號\n"
        "關於印發《某縣工業穩增長若干措施》的通知\n"
        "各鄉鎮人民政府，縣直各單位：\n"
        "現將《某縣工業穩增長若干措施》印發給你們，請認真貫徹執行。\n"
        "某縣工業和信息化局\n"
        "二〇二五年四月八日\n"
        "某縣工業穩增長若干措施\n"
        "一、加強運行調度\n"
        "（一）建立月調度機制。按月分析。\n"
        "二、加大項目投資\n"
        "（一）推進項目建設。加快進度。\n"
    )
    assert plan.title == "某縣工業穩增長若干措施"
    assert plan.number == "某工信發〔2025〕7號"
    assert plan.author == "某縣工業和信息化局"
    assert str(plan.date) == "2025-04-08"
    assert outline(plan.tasks) == [
        ("一", "加強運行調度", [("一", "建立月調度機制", [])]),
        ("二", "加大項目投資", [("一", "推進項目建設", [])]),
    ]


def test_traditional_characters_keep_their_text():
    plan = parse_text(
        "一、加快產業升級\n"
        "（一）推進技術改造。支持企業更新設備。\n"
        "一是擴大投資。二是提升效率。\n"
        "（二）培育新興產業。發展新材料。\n"
    )
    assert outline(plan.tasks) == [
        (
            "一",
            "加快產業升級",
            [
                ("一", "推進技術改造", [("一", "擴大投資", []), ("二", "提升效率", [])]),
                ("二", "培育新興產業", []),
            ],
        )
    ]
    assert plan.tasks[0].children[1].text == "培育新興產業。發展新材料。"


def test_page_furniture_is_dropped_and_a_paragraph_broken_by_a_page_is_joined():
    plan = parse_text(
        "某县工业发展三年行动计划\n"
        "一、主要任务\n"
        "（一）壮大主导产业。围绕电子信息和新材料两大产业，\n"
        "- 1 -\n"
        "某县工业发展三年行动计划\n"
        "推动龙头企业扩大产能。\n"
        "（二）提升园区承载能力。完善园区道路和管网。\n"
        "第 2 页 共 4 页\n"
        "某县工业发展三年行动计划\n"
        "二、保障措施\n"
        "（一）加强组织领导。成立领导小组。\n"
        "— 3 —\n"
        "某县工业发展三年行动计划\n"
        "（二）强化督促检查。定期通报进展。\n"
        "4/4\n"
    )
    assert plan.title == "某县工业发展三年行动计划"
    assert outline(plan.tasks) == [
        ("一", "主要任务", [("一", "壮大主导产业", []), ("二", "提升园区承载能力", [])]),
        ("二", "保障措施", [("一", "加强组织领导", []), ("二", "强化督促检查", [])]),
    ]
    assert plan.tasks[0].children[0].text == (
        "壮大主导产业。围绕电子信息和新材料两大产业，推动龙头企业扩大产能。"
    )
    every_text = "\n".join(node.text for node in plan.walk())
    for furniture in ("- 1 -", "第 2 页", "— 3 —", "4/4", "三年行动计划"):
        assert furniture not in every_text


def test_text_extracted_from_a_pdf_with_stray_spaces_and_broken_lines():
    plan = parse_text(
        "二 、 重 点 任 务\n"
        "1 . 开 展 诊 断 服 务 。 组 织 专 家 深 入 企 业 ，\n"
        "为 企 业 出 具 诊 断 报 告 。\n"
        "2 、 推 广 轻 量 化 应 用 。 降 低 中 小 企 业\n"
        "上 云 门 槛 。\n"
        "（ 1 ） 开 发 云 端 应 用 。\n"
    )
    assert outline(plan.tasks) == [
        (
            "二",
            "重点任务",
            [
                ("1", "开展诊断服务", []),
                ("2", "推广轻量化应用", [("1", "开发云端应用", [])]),
            ],
        )
    ]
    assert plan.tasks[0].children[0].text == "开展诊断服务。组织专家深入企业，为企业出具诊断报告。"
    assert plan.tasks[0].children[1].text == "推广轻量化应用。降低中小企业上云门槛。"


def test_annotations_in_parentheses_are_left_out_of_titles_but_kept_in_texts():
    plan = parse_text(
        "（一）推进技术改造（责任单位：市工信局；完成时限：2026年底前）。支持企业更新设备。\n"
        "（二）培育新兴产业(牵头单位:市发改委)。发展新材料（含碳纤维）。\n"
        "（三）开展招商活动（长期坚持）\n"
    )
    assert [node.title for node in plan.tasks] == ["推进技术改造", "培育新兴产业", "开展招商活动"]
    assert plan.tasks[0].text == (
        "推进技术改造（责任单位：市工信局；完成时限：2026年底前）。支持企业更新设备。"
    )
    assert "(牵头单位:市发改委)" in plan.tasks[1].text


def test_a_parenthesis_that_is_not_an_annotation_stays_in_the_title():
    plan = parse_text("（一）建设工业互联网（5G）专网。覆盖重点园区。\n（二）完善设施。\n")
    assert plan.tasks[0].title == "建设工业互联网（5G）专网"


def test_annotations_in_square_brackets_are_left_out_of_titles():
    plan = parse_text(
        "（一）培育新兴产业【牵头单位：市发改委】。发展新材料。\n"
        "（二）推进技术改造【完成时限：2026年底前】。支持企业更新设备。\n"
    )
    assert [node.title for node in plan.tasks] == ["培育新兴产业", "推进技术改造"]


def test_an_annex_is_not_split_and_a_warning_says_so():
    plan = parse_text(
        "一、重点任务\n"
        "（一）推进项目建设。加快进度。\n"
        "附件：重点项目清单\n"
        "1.某某电子项目。总投资十亿元。\n"
    )
    assert outline(plan.tasks) == [("一", "重点任务", [("一", "推进项目建设", [])])]
    assert len(plan.warnings) == 1 and "附件：重点项目清单" in plan.warnings[0]


def test_a_document_without_numbering_gives_one_task_per_paragraph_and_a_warning():
    plan = parse_text(
        "加快推进工业高质量发展。全市上下要统一思想。\n"
        "\n"
        "推动企业技术改造，提升装备水平。\n"
        "\n"
        "优化营商环境，加强要素保障。\n"
    )
    assert outline(plan.tasks) == [
        ("1", "加快推进工业高质量发展", []),
        ("2", "推动企业技术改造，提升装备水平", []),
        ("3", "优化营商环境，加强要素保障", []),
    ]
    assert plan.tasks[0].text == "加快推进工业高质量发展。全市上下要统一思想。"
    assert plan.warnings == ["No numbered items were recognised: each paragraph became a task."]
    assert plan.preamble == ""


@pytest.mark.parametrize(
    "line",
    [
        "2026年，全市规上工业增加值增长百分之八。",
        "1.5亿元专项资金全部拨付到位。",
        "一、二级供应商全部纳入培育库。",
        "这一是关键环节，必须抓紧抓好。",
        "各地要明确责任。一是要抓好落实，不能走过场。",
    ],
)
def test_numbers_that_are_not_item_markers(line):
    plan = parse_text(f"一、发展目标\n{line}\n二、重点任务\n（一）培育企业。加大力度。\n")
    assert outline(plan.tasks) == [
        ("一", "发展目标", []),
        ("二", "重点任务", [("一", "培育企业", [])]),
    ]
    assert plan.tasks[0].text == f"发展目标\n{line}"


def test_an_unnumbered_heading_after_the_items_opens_its_own_branch():
    source = Source(
        [
            Block("一、重点任务", heading=2),
            Block("（一）推进技改。实施项目。"),
            Block("组织保障", heading=2),
            Block("加强领导。成立专班。"),
            Block("经费保障", heading=3),
            Block("落实资金。"),
        ],
        "html",
    )
    plan = parse(source)
    assert outline(plan.tasks) == [
        ("一", "重点任务", [("一", "推进技改", [])]),
        ("", "组织保障", [("", "经费保障", [])]),
    ]
    assert plan.tasks[1].text == "组织保障\n加强领导。成立专班。"


# ---------------------------------------------------------------------------------------
# The sample documents


def _read(path: Path):
    with open(path, "rb") as handle:
        return parse(reading.read(handle, name=path.name))


SEED_TITLES = [
    (
        "围绕重学习抓落实，以善于担当的能力提升高质量发展首位度",
        ["坚决拥护“两个确立”", "准确把握“十个坚持”", "坚定不移“干在一线”"],
    ),
    (
        "突出优结构转方式，以勇于担当的使命塑造南昌制造业新辉煌",
        ["推动新旧动能转换", "聚焦新兴产业壮大", "加速数字经济发展"],
    ),
    (
        "强化补短板增后劲，以敢于担当的勇气锻造产业链竞争新优势",
        ["以链长制抓手布局", "以产业链招商开局", "以科创城建设破局"],
    ),
    (
        "聚焦优环境提质效，以乐于担当的情怀开创“妈妈式”服务新局面",
        ["不断完善政策体系", "紧抓入企帮扶走访", "加快优强企业培育"],
    ),
]


def test_the_seed_article_gives_four_sections_of_three_items():
    plan = _read(DATA / "nanchang-2022.md")
    assert plan.title == "全力推动南昌工业高质量跨越式发展实现新突破"
    assert plan.author == "唐艳华"
    assert str(plan.date) == "2022-01-17"
    assert outline(plan.tasks) == [
        (
            section_number,
            title,
            [(item_number, item, []) for item_number, item in zip("一二三", items, strict=True)],
        )
        for section_number, (title, items) in zip("一二三四", SEED_TITLES, strict=True)
    ]
    assert plan.preamble.startswith("党的十九届六中全会全面总结了党的百年奋斗重大成就")
    assert plan.tasks[1].children[0].text == (
        "推动新旧动能转换。扎实推进“机器换人”“设备换芯”“生产换线”，加快绿色食品、新型材料、"
        "现代针纺等产业技改升级、创建品牌，着重建成一批“5G+智慧工厂”数字化改造示范项目。"
    )


def test_the_seed_article_keeps_every_sentence_of_its_body():
    with open(DATA / "nanchang-2022.md", "rb") as handle:
        source = reading.read(handle, name="nanchang-2022.md")
    plan = parse(source)
    body = [block.text.strip() for block in source.blocks]
    start = next(i for i, text in enumerate(body) if text.startswith("一、"))
    end = next(i for i, text in enumerate(body) if text.startswith("(作者系"))
    rebuilt = "".join(node.marker + node.text.replace("\n", "") for node in plan.walk())
    # What follows the body (the attribution) is the subject of the next test.
    assert rebuilt.startswith("".join(body[start:end]))
    assert "文章来源" not in rebuilt


def test_the_seed_articles_attribution_is_not_part_of_the_last_task():
    plan = _read(DATA / "nanchang-2022.md")
    last = plan.tasks[-1].children[-1]
    assert last.text.endswith("积极营造聚力建设先进制造业集聚发展中心的浓厚氛围。")
    assert "作者系" not in last.text


def test_the_digital_plan_counts_its_items_across_sections():
    plan = _read(DATA / "digital-2026.md")
    assert plan.number == "洪工信字〔2026〕3号"
    tasks = plan.tasks[1]
    assert [section.number for section in tasks.children] == ["一", "二", "三", "四"]
    assert [[item.number for item in section.children] for section in tasks.children] == [
        ["1", "2", "3"],
        ["4", "5", "6"],
        ["7", "8", "9"],
        ["10", "11", "12"],
    ]
    assert [item.title for item in plan.tasks[2].children] == [
        "加强组织领导",
        "加大政策支持",
        "强化人才支撑",
        "营造良好氛围",
    ]


def test_the_work_points_text_with_notice_furniture_and_broken_lines():
    plan = _read(DATA / "work-points-2026.txt")
    assert plan.title == "2026年全市工业和信息化工作要点"
    assert plan.number == "洪工信字〔2026〕8号"
    assert str(plan.date) == "2026-02-10"
    assert [node.marker for node in plan.tasks] == [f"（{n}）" for n in "一二三四五六"]
    assert [len(node.children) for node in plan.tasks] == [4, 0, 3, 3, 3, 3]
    chain = plan.tasks[1]
    # A paragraph broken across a page ("完成时\n- 2 -\n…\n限：11月底前）") is joined.
    assert chain.text.endswith(
        "（牵头处室：综合规划处；配合处室：电子信息处、装备工业处、消费品工业处；完成时限：11月底前）"
    )
    assert all("工作要点" not in node.text for node in plan.walk())


# ---------------------------------------------------------------------------------------
# The pieces


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十三", 23),
        ("一百零五", 105),
        ("两", 2),
        ("12", 12),
        ("⑽", 10),
        ("⑩", 10),
        ("⑳", 20),
        ("丙", None),
    ],
)
def test_cn_number(numeral, value):
    assert cn_number(numeral) == value


@pytest.mark.parametrize(("numeral", "value"), [("①", 1), ("⑨", 9), ("⑴", 1), ("⑼", 9)])
def test_cn_number_of_circled_and_parenthesised_digits(numeral, value):
    assert cn_number(numeral) == value


@pytest.mark.parametrize(
    ("value", "numeral"), [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (105, "一百零五")]
)
def test_cn_numeral(value, numeral):
    assert cn_numeral(value) == numeral


@given(st.integers(min_value=1, max_value=999))
@settings(max_examples=60, deadline=None)
def test_cn_numeral_reads_back(value):
    assert cn_number(cn_numeral(value)) == value


def test_marker_text_of_each_style():
    assert [marker_text(style, 3) for style in STYLES] == [
        "第三部分 ",
        "第三章 ",
        "第三节 ",
        "第三条 ",
        "三、",
        "（三）",
        "3.",
        "（3）",
        "③",
        "三是",
        "第三，",
    ]


def test_key_of_keeps_the_length_and_makes_the_text_matchable():
    text = "（１２）推進發展"
    key = key_of(text)
    assert key == "(12)推进发展"
    assert len(key) == len(text)


def test_title_of_cuts_a_long_first_sentence_at_a_comma():
    text = "，".join(["加快推进重点产业链现代化建设"] * 6) + "。后文。"
    title = title_of(text)
    assert title.endswith("…")
    assert len(title) <= TITLE_MAX + 1
    assert title[:-1] == "，".join(["加快推进重点产业链现代化建设"] * 4)


def test_title_of_skips_punctuation_inside_quotes():
    assert title_of("落实“免申即享：直达快享”政策。兑现资金。") == "落实“免申即享：直达快享”政策"


def test_render_gives_back_a_parsed_plan():
    plan = _read(DATA / "nanchang-2022.md")
    again = parse_text(render(plan.tasks))
    assert outline(again.tasks) == outline(plan.tasks)
    assert texts(again.tasks) == texts(plan.tasks)


def test_render_numbers_nodes_without_a_style_in_the_conventional_order():
    tree = [
        Node("1", "推进技改", "推进技改。", children=[Node("1", "开展诊断", "开展诊断。")]),
        Node("2", "培育企业", "培育企业。"),
    ]
    assert render(tree) == "一、推进技改。\n（一）开展诊断。\n二、培育企业。"


# ---------------------------------------------------------------------------------------
# Render, then parse: the same tree

# Common Han characters that cannot form a marker (no numerals, 是, 第, 章, 节), a date
# (年, 月, 日), an annex (附件), page furniture (页) or an annotation keyword.
SAFE = (
    "推进产业发展建设企业创新服务改革开放提升质量加快培育壮大"
    "优化环境完善体系强化落实政策研究规划市场资金人才技术园区项目"
)
CHINESE_NUMBERED = {"bufen", "zhang", "jie", "tiao", "cn_dun", "cn_paren", "cn_shi", "cn_di"}
phrase = st.text(alphabet=SAFE, min_size=1, max_size=12)


@st.composite
def item_texts(draw):
    """(title, text): a bare heading, or a run-in heading ending in 。 or ： with body
    sentences, sometimes followed by more paragraphs."""
    head = draw(phrase)
    form = draw(st.sampled_from(["bare", "sentence", "colon"]))
    if form == "bare":
        return head, head
    first = head + ("。" if form == "sentence" else "：")
    body = draw(st.lists(phrase, min_size=1 if form == "colon" else 0, max_size=2))
    paragraphs = [first + "".join(f"{sentence}。" for sentence in body)]
    for sentences in draw(st.lists(st.lists(phrase, min_size=1, max_size=2), max_size=2)):
        paragraphs.append("".join(f"{sentence}。" for sentence in sentences))
    return head, "\n".join(paragraphs)


@st.composite
def trees(draw, pool=STYLES, must=None):
    """(styles per level, nodes): depth 1–4, a distinct style on each level, siblings
    numbered from a random start (items that keep counting across sections)."""
    depth = draw(st.integers(min_value=1, max_value=4))
    levels = draw(st.lists(st.sampled_from(pool), min_size=depth, max_size=depth, unique=True))
    if must and must not in levels:
        levels[draw(st.integers(min_value=0, max_value=depth - 1))] = must

    def level(index: int) -> list[Node]:
        style = levels[index]
        start = draw(st.integers(min_value=1, max_value=9))
        nodes = []
        for offset in range(draw(st.integers(min_value=1, max_value=4 if index == 0 else 3))):
            value = start + offset
            title, text = draw(item_texts())
            deeper = index + 1 < depth and draw(st.booleans())
            nodes.append(
                Node(
                    number=cn_numeral(value) if style in CHINESE_NUMBERED else str(value),
                    title=title,
                    text=text,
                    style=style,
                    children=level(index + 1) if deeper else [],
                )
            )
        return nodes

    return levels, level(0)


def _all(nodes):
    for node in nodes:
        yield node
        yield from _all(node.children)


def full_shape(nodes: list[Node]) -> list[tuple]:
    return [(n.style, n.number, n.title, n.text, full_shape(n.children)) for n in nodes]


def _round_trip(levels, nodes):
    # A short line repeated on three pages is a running header, rightly dropped: keep
    # the generated paragraphs (other than the numbered first ones) rarer than that.
    extra = Counter(p for node in _all(nodes) for p in node.text.split("\n")[1:])
    assume(all(count < 3 for count in extra.values()))
    text = render(nodes, styles=levels)
    plan = parse_text(text)
    assert full_shape(plan.tasks) == full_shape(nodes), text
    assert plan.warnings == []
    # The same lines as paragraphs of an HTML or Word file (not wrapped) give the same.
    blocks = parse(Source([Block(line) for line in text.split("\n")], "html"))
    assert full_shape(blocks.tasks) == full_shape(nodes), text


@given(trees(pool=[style for style in STYLES if style != "circled"]))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_render_then_parse_gives_the_same_tree(data):
    # circled (①) is left out here: it crashes the parser, see the test below.
    _round_trip(*data)


@given(trees(must="circled"))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_render_then_parse_gives_the_same_tree_with_circled_numbers(data):
    _round_trip(*data)


# Regulations, speeches and numbers alone on their line --------------------------------


def test_parts_chapters_and_articles_nest():
    plan = parse_text(
        "某市促进制造业发展若干规定\n"
        "第一章 总则\n"
        "第一条 为促进制造业高质量发展，制定本规定。\n"
        "第二条 本规定适用于本市行政区域内的制造业企业。\n"
        "第二章 扶持措施\n"
        "第三条 对新认定的专精特新企业给予奖励。\n"
        "（一）国家级的，奖励一百万元；\n"
        "（二）省级的，奖励二十万元。\n",
        wrapped=False,
    )
    assert [(t.marker, t.title) for t in plan.tasks] == [("第一章", "总则"), ("第二章", "扶持措施")]
    assert [c.number for c in plan.tasks[0].children] == ["一", "二"]
    article = plan.tasks[1].children[0]
    assert (article.style, article.number, article.title) == (
        "tiao",
        "三",
        "对新认定的专精特新企业给予奖励",
    )
    assert [c.number for c in article.children] == ["一", "二"]


def test_first_second_run_in_like_one_is():
    plan = parse_text(
        "一、抓好三项工作\n"
        "今年要重点抓好三项工作。第一，稳住工业增长。确保全年增长6%。"
        "第二，扩大有效投资。推进重大项目。第三，优化营商环境。深化改革。\n",
        wrapped=False,
    )
    (section,) = plan.tasks
    assert section.text == "抓好三项工作\n今年要重点抓好三项工作。"
    assert [(c.style, c.number, c.title) for c in section.children] == [
        ("cn_di", "一", "稳住工业增长"),
        ("cn_di", "二", "扩大有效投资"),
        ("cn_di", "三", "优化营商环境"),
    ]


def test_a_number_alone_on_its_line_takes_the_next_line_as_its_heading():
    plan = parse_text(
        "某区工作方案\n"
        "一、\n"
        "主要任务\n"
        "（一）\n"
        "加快技术改造。支持企业更新设备。\n"
        "（二）\n"
        "推进数字化转型。建设智能工厂。\n"
    )
    (section,) = plan.tasks
    assert (section.number, section.title) == ("一", "主要任务")
    assert [(c.number, c.title) for c in section.children] == [
        ("一", "加快技术改造"),
        ("二", "推进数字化转型"),
    ]
