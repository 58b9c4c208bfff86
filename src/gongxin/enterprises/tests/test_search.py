"""Chinese search over name, products and business scope (jieba), and USCC prefixes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongxin.enterprises.models import Enterprise
from gongxin.enterprises.search import search_q, search_words
from gongxin.enterprises.selectors import enterprise_list
from gongxin.enterprises.tests.factories import EnterpriseFactory, make_uscc
from gongxin.enterprises.tests.helpers import api_usccs, page_usccs


@pytest.fixture
def firms(world):
    return {
        "separator": EnterpriseFactory(
            uscc=make_uscc(123_456_789),
            name="江西恒润新材料科技股份公司",
            main_products="锂电池用隔膜材料",
            business_scope="新材料技术研发；塑料制品制造",
        ),
        "split": EnterpriseFactory(
            name="南昌电芯制造厂",
            main_products="锂电池",
            business_scope="电池隔膜采购与销售",
        ),
        "battery_only": EnterpriseFactory(
            name="进贤储能有限公司",
            main_products="储能用锂电池模组",
            business_scope="电池制造",
        ),
        "other": EnterpriseFactory(
            name="安义铝型材有限公司",
            main_products="建筑铝型材",
            business_scope="铝合金型材加工",
        ),
    }


def _found(query: str) -> set[str]:
    return set(Enterprise.objects.filter(search_q(query)).values_list("name", flat=True))


def _names(firms, *keys) -> set[str]:
    return {firms[k].name for k in keys}


def test_words_are_segmented():
    assert search_words("锂电池隔膜") == ["锂电池", "隔膜"]
    assert search_words("锂电池 隔膜，锂电池") == ["锂电池", "隔膜"]


def test_unspaced_query_finds_products_written_differently(firms):
    """“锂电池隔膜” finds “锂电池用隔膜材料”: the words need not be adjacent."""
    assert _found("锂电池隔膜") == _names(firms, "separator", "split")


def test_each_word_may_match_a_different_field(firms):
    """锂电池 in the products and 隔膜 in the business scope still match."""
    assert firms["split"].name in _found("锂电池 隔膜")
    assert _found("锂电池") == _names(firms, "separator", "split", "battery_only")


def test_name_is_searched(firms):
    assert _found("恒润") == _names(firms, "separator")


def test_stop_words_are_ignored(firms):
    assert search_words("隔膜有限公司") == ["隔膜"]
    assert search_words("锂电池隔膜股份有限公司") == ["锂电池", "隔膜"]
    # the separator maker's name has no 有限公司 in it, and is still found
    assert _found("锂电池隔膜有限公司") == _names(firms, "separator", "split")
    assert _found("隔膜的有限公司") == _names(firms, "separator", "split")


def test_uscc_prefix(firms):
    uscc = firms["separator"].uscc
    for prefix in (uscc[:14], uscc, uscc[:14].lower(), f"  {uscc[:16]} "):
        assert _found(prefix) == _names(firms, "separator"), prefix


def test_uscc_prefix_must_be_long_enough(firms):
    """Six characters or more: a two-digit prefix is not a code, it is searched as text."""
    assert _found("91") == set()


def test_empty_query_returns_everything(firms):
    everything = set(Enterprise.objects.values_list("name", flat=True))
    assert _found("") == everything
    assert _found("   ") == everything


def test_no_match(firms):
    assert _found("光伏组件") == set()
    assert _found("锂电池 铝型材") == set()


def test_search_through_the_list_page_and_api(firms, world):
    """The same search through the selector, the web list and the API (world adds a, b)."""
    staff = world.users["staff"]
    query = "锂电池 隔膜"
    expected = {firms["separator"].uscc, firms["split"].uscc}
    selected = enterprise_list(user=staff, filters={"q": query})
    assert {e.uscc for e in selected} == expected
    client = world.client("staff")
    web = client.get(reverse("enterprises:enterprise_list"), {"q": query})
    assert page_usccs(web) == expected
    assert api_usccs(client.get("/api/v1/enterprises", {"q": query})) == expected
    everything = set(Enterprise.objects.values_list("uscc", flat=True))
    assert api_usccs(client.get("/api/v1/enterprises", {"q": ""})) == everything
    assert page_usccs(client.get(reverse("enterprises:enterprise_list"), {"q": ""})) == everything


def test_search_respects_scope(firms, world):
    """District A staff searching for what only other districts make find nothing."""
    client = world.client("district_a")
    assert api_usccs(client.get("/api/v1/enterprises", {"q": "锂电池"})) == set()
    assert api_usccs(client.get("/api/v1/enterprises", {"q": "航空"})) == {world.a.uscc}
