"""A chain's stored figures: read while the archive stands, recomputed after any change to
it (one by one through the ORM, or by an import), never after a rolled-back one."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import transaction
from django.urls import reverse

from gongxin.chains import selectors
from gongxin.chains.models import ChainSnapshot, EnterpriseNode
from gongxin.chains.tests.test_views import build_chain
from gongxin.core import versions
from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.models import AnnualFigure
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.enterprises.tests.tabular_files import enterprise_row
from gongxin.enterprises.tests.test_imports import import_rows

pytestmark = pytest.mark.django_db


def _revenue(chain) -> D:
    return sum((f.revenue for f in selectors.chain_figures(chain).nodes.values()), D(0))


def test_figures_are_stored_and_recomputed_after_a_change(city):
    chain = build_chain("vr", leaves=1, placed=2)  # 2 enterprises of 100m yuan in 2025
    assert _revenue(chain) == D(200_000_000)
    snapshot = ChainSnapshot.objects.get(chain=chain, year=2025)
    assert snapshot.version == versions.current()
    # Unchanged archive: the stored figures are read as they are.
    ChainSnapshot.objects.filter(pk=snapshot.pk).update(
        data={**snapshot.data, "regional": {"marker": True}}
    )
    assert selectors.chain_figures(chain).regional == {"marker": True}
    # A figure changes: the version moves on and the figures are computed again.
    figure = AnnualFigure.objects.first()
    figure.revenue = D(50_000_000)
    figure.save()
    assert _revenue(chain) == D(150_000_000)
    # An enterprise placed on the chain changes it too.
    leaf = chain.nodes.filter(parent__isnull=False).first()
    EnterpriseNode.objects.create(enterprise=EnterpriseFactory(), node=leaf)
    figures = selectors.chain_figures(chain)
    assert figures.nodes[leaf.pk].enterprises == 3


def test_a_rolled_back_change_leaves_the_version(city):
    before = versions.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        EnterpriseFactory()
        assert versions.current() > before
        raise RuntimeError
    assert versions.current() == before


def test_an_import_moves_the_version_and_a_dry_run_does_not(city):
    before = versions.current()
    assert import_rows([enterprise_row(1)], dry_run=True).ok
    assert versions.current() == before
    assert import_rows([enterprise_row(1)]).ok
    assert versions.current() > before


def test_the_page_shows_the_figures_after_a_change(city, client):
    chain = build_chain("vr", leaves=1, placed=1)
    client.force_login(UserFactory(role=Role.LEADER))
    url = reverse("chains:chain_detail", args=[chain.code])
    first = client.get(url).context["chain_map"].nodes[0].enterprises
    leaf = chain.nodes.filter(parent__isnull=False).first()
    EnterpriseNode.objects.create(enterprise=EnterpriseFactory(), node=leaf)
    assert client.get(url).context["chain_map"].nodes[0].enterprises == first + 1
