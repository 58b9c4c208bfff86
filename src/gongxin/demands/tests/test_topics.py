"""The words a demand is about (hot topics, duplicate detection): common words of every
demand and numbers dropped, the words that tell a topic kept; how alike two texts are."""

from __future__ import annotations

import pytest

from gongxin.demands import selectors, topics


def test_the_words_that_tell_the_topic_are_kept():
    terms = topics.demand_terms("我们企业目前用工缺口较大，需要招聘普工200名，希望政府协调解决")
    assert {"用工", "普工", "招聘", "缺口"} <= set(terms)


@pytest.mark.parametrize(
    "common",
    ["企业", "我们", "目前", "需要", "希望", "政府", "协调", "解决", "申请", "万元", "尽快"],
)
def test_common_words_are_dropped(common):
    text = f"{common}用工缺口，{common}招聘普工"
    terms = topics.demand_terms(text)
    assert common not in terms
    assert "普工" in terms


def test_a_text_of_common_words_only_has_no_terms():
    assert topics.demand_terms("能否尽快解决一下相关问题，希望政府给予支持") == []
    assert topics.demand_terms("") == []
    assert topics.demand_terms("  \n ") == []


def test_numbers_single_characters_and_punctuation_are_dropped():
    terms = topics.demand_terms("申请5G基站建设，投资300万元，2026年完成，A区3号楼12.5亩。")
    assert "5G" in terms and "基站" in terms
    for dropped in ("300", "2026", "3", "12.5", "A", "a", "年", "亩", "区", "，", "。", "万元"):
        assert dropped not in terms


@pytest.mark.parametrize(
    "text, term",
    [
        ("申请5G基站建设", "5G"),
        ("申请5g基站建设", "5G"),  # however the text writes it
        ("PCB产线技改", "PCB"),
        ("VR展厅布展", "VR"),
        ("人工智能AI芯片", "AI"),
    ],
)
def test_names_in_latin_letters_are_kept_as_written(text, term):
    assert term in topics.demand_terms(text)


def test_the_most_telling_first_and_at_most_twelve():
    text = (
        "用电增容，天然气供应，厂房租赁，土地指标，环评审批，人才公寓，"
        "银行续贷，物流通道，专利申报，研发补贴，污水处理，食堂宿舍，展会补贴"
    )
    terms = topics.demand_terms(text)
    assert len(terms) == topics.MAX_TERMS
    assert terms[0] == "补贴"  # said twice
    # what a long demand is about outranks the words any text uses
    long = (
        "今年以来订单大幅增长，生产线满负荷运转，但用工缺口约120人，普工和技工都招不到，"
        "电费上涨也增加了成本，希望人社部门协助对接劳务资源。"
    )
    found = topics.demand_terms(long)
    assert {"普工", "技工", "用工", "电费", "满负荷"} <= set(found)
    assert "今年以来" not in found and "大幅" not in found


def test_each_term_once():
    terms = topics.demand_terms("招聘普工，普工，还是普工")
    assert terms.count("普工") == 1


# likeness ------------------------------------------------------------------------------


def test_the_same_text_is_wholly_alike():
    assert selectors.likeness("用电增容", "用电增容") == 1.0
    assert selectors.likeness("申请5G基站", "申请5g基站") == 1.0


def test_likeness_is_the_share_of_topic_words_in_common():
    # {招聘, 普工, 对接, 劳务} against {招聘, 焊工, 对接, 劳务}: 3 of 5 words
    assert selectors.likeness("招聘普工，对接劳务", "招聘焊工，对接劳务") == pytest.approx(0.6)
    # {急需, 普工} against {急需, 焊工}: 1 of 3
    assert selectors.likeness("急需普工", "急需焊工") == pytest.approx(1 / 3)


def test_likeness_is_symmetric():
    a, b = "国庆后订单增加，急需普工80名", "节后订单增加，急需普工50名，对接劳务"
    assert selectors.likeness(a, b) == selectors.likeness(b, a)
    assert 0 < selectors.likeness(a, b) < 1


def test_nothing_in_common_is_not_alike():
    assert selectors.likeness("招聘普工", "用电增容") == 0.0


def test_common_words_and_numbers_make_nothing_alike():
    assert selectors.likeness("希望政府尽快协调解决", "希望政府尽快协调解决") == 0.0
    assert selectors.likeness("2026年300万元", "2026年300万元") == 0.0
    assert selectors.likeness("", "用电增容") == 0.0


def test_a_repeated_demand_passes_the_duplicate_threshold_and_another_does_not():
    first = "招工难\n国庆后订单增加，急需普工80名，请协助对接劳务资源。"
    again = "招工难\n节后订单增加，急需普工50名，请帮忙对接劳务资源。"
    other = "用电增容\n新产线投产需增容2000千伏安"
    assert selectors.likeness(first, again) >= selectors.DUPLICATE_LIKENESS
    assert selectors.likeness(first, other) < selectors.DUPLICATE_LIKENESS
