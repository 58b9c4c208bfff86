"""The category of a demand suggested from its text (jieba words matched against a few
words per category), with the words that suggested it; staff may change it."""

from __future__ import annotations

from gongxin.core.text import keyword_found, words
from gongxin.demands.choices import Category

#: Words that point to each category, most telling first.
KEYWORDS: dict[str, tuple[str, ...]] = {
    Category.LABOUR: (
        "用工", "招工", "缺工", "普工", "技工", "工人", "劳动力", "招聘", "招人", "劳务",
        "车工", "焊工", "员工", "社保",
    ),
    Category.TALENT: ("人才", "工程师", "技术人员", "博士", "落户", "人才公寓"),
    Category.FINANCE: ("贷款", "融资", "资金", "授信", "担保", "利率", "银行", "续贷"),
    Category.LAND: ("用地", "土地", "厂房", "土地证", "规划", "红线"),
    Category.ENERGY: ("用电", "电力", "增容", "天然气", "供气", "蒸汽", "能耗", "用水"),
    Category.LOGISTICS: ("物流", "运输", "货运", "道路", "仓储", "通关"),
    Category.APPROVAL: ("审批", "环评", "许可", "验收", "备案", "办证", "手续"),
    Category.POLICY: ("补贴", "奖励", "兑现", "政策", "申报", "奖补"),
    Category.MARKET: ("订单", "市场", "销售", "采购", "展会", "客户", "出口"),
    Category.INNOVATION: ("研发", "技术", "专利", "创新", "检测", "实验室", "技改"),
    Category.PARK: ("园区", "配套", "食堂", "宿舍", "公交", "污水", "路灯"),
}


def suggest_category(text: str) -> tuple[str, str]:
    """(category, the matched words) for a demand's text; (other, "") when nothing matches.
    The category with the most matched words wins; ties go to the order above."""
    text_words = words(text)
    best, found = Category.OTHER, []
    for category, keywords in KEYWORDS.items():
        matched = [k for k in keywords if keyword_found(k, text_words)]
        if len(matched) > len(found):
            best, found = category, matched
    return str(best), "、".join(found)
