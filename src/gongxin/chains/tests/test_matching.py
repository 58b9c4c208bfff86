"""Suggested places of enterprises on nodes: words of products and business scope (jieba)
against node keywords, industry class against node codes; confirmed or rejected by staff."""

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from gongxin.chains import services
from gongxin.chains.matching import INDUSTRY, KEYWORDS, NodeTerms, suggest
from gongxin.chains.models import Chain, ChainNode, EnterpriseNode
from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import AuditEntry, Industry
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.tests.factories import EnterpriseFactory

NODES = [
    NodeTerms(1, None, (), ()),
    NodeTerms(2, 1, ("3976",), ("光学器件",)),
    NodeTerms(3, 2, ("3976",), ("光学镜片", "非球面镜片")),
    NodeTerms(4, 2, ("3976",), ("光波导",)),
    NodeTerms(5, None, ("3961",), ("头戴显示设备", "VR一体机")),
]


def test_keywords_found_in_the_words_of_products_and_scope():
    found = suggest("3976", "非球面镜片、光学模组的研发与制造", NODES)
    # 非球面镜片 is a keyword of node 3; node 2 (above it) also matches by code: 3 wins
    assert found and {s.node for s in found} == {3}
    assert found[0].source == KEYWORDS and "非球面镜片" in found[0].evidence


def test_industry_code_when_no_word_matches():
    found = suggest("3961", "智能穿戴产品销售", NODES)
    assert [(s.node, s.source, s.evidence) for s in found] == [(5, INDUSTRY, "3961")]


def test_nothing_for_an_unrelated_enterprise():
    assert suggest("1311", "大米加工；粮食收购", NODES) == []


def test_a_keyword_of_several_words_matches_when_all_are_there():
    found = suggest("", "生产VR一体机及配件", NODES)
    assert [(s.node, s.source) for s in found] == [(5, KEYWORDS)]


@pytest.fixture
def chain(city):
    chain = Chain.objects.create(code="vr", name="VR")
    top = ChainNode.objects.create(chain=chain, name="上游", segment="upstream", kind="component")
    lens = ChainNode.objects.create(
        chain=chain,
        parent=top,
        name="光学镜片",
        segment="upstream",
        kind="component",
        industry_codes=["3976"],
        keywords=["光学镜片", "非球面镜片"],
    )
    chain.lens = lens
    return chain


def test_suggest_then_confirm_and_reject(chain):
    optics = Industry.objects.get(code="3976")
    a = EnterpriseFactory(
        industry=optics, main_products="非球面镜片", business_scope="光学元件制造"
    )
    b = EnterpriseFactory(
        industry=optics, main_products="光学模组", business_scope="光电子器件制造"
    )
    EnterpriseFactory(main_products="汽车座椅")  # 3670 with nothing of VR: no suggestion
    placed = EnterpriseFactory(industry=optics)
    EnterpriseNode.objects.create(enterprise=placed, node=chain.lens)
    assert services.links_suggest(actor=None, chain=chain) == 2
    suggested = {e.enterprise_id: e for e in EnterpriseNode.objects.filter(status="suggested")}
    assert set(suggested) == {a.pk, b.pk}
    assert (suggested[a.pk].source, suggested[a.pk].evidence) == ("keywords", "非球面镜片")
    assert (suggested[b.pk].source, suggested[b.pk].evidence) == ("industry", "3976")
    assert services.links_suggest(actor=None, chain=chain) == 0  # nothing twice

    services.link_decide(actor=None, link=suggested[a.pk], confirm=True)
    services.link_decide(actor=None, link=suggested[b.pk], confirm=False)
    assert set(EnterpriseNode.objects.values_list("enterprise_id", "status")) == {
        (a.pk, "confirmed"),
        (b.pk, "rejected"),
        (placed.pk, "confirmed"),
    }
    entry = AuditEntry.objects.filter(
        action=AuditAction.UPDATE, object_type="chains.enterprisenode"
    )
    assert entry.count() == 2
    other_office = UserFactory(role=Role.CHAIN_OFFICE)
    with pytest.raises(PermissionDenied):
        services.link_decide(actor=other_office, link=suggested[a.pk], confirm=False)


@pytest.mark.django_db
def test_the_suggest_command_suggests_once(city):
    chain = Chain.objects.create(code="sg", name="建议链")
    node = ChainNode.objects.create(
        chain=chain, name="光学镜片", segment="upstream", kind="component", keywords=["光学镜片"]
    )
    EnterpriseFactory(main_products="光学镜片、透镜", business_scope="")
    EnterpriseFactory(main_products="服装", business_scope="")
    out = StringIO()
    call_command("suggest", "sg", stdout=out)
    assert "1 places suggested" in out.getvalue()
    assert EnterpriseNode.objects.filter(node=node, status="suggested").count() == 1
    call_command("suggest", stdout=StringIO())
    assert EnterpriseNode.objects.filter(node=node).count() == 1
    with pytest.raises(CommandError, match="No chain nowhere"):
        call_command("suggest", "nowhere")
