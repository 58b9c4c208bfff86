import pytest

from gongxin.indicators.models import Indicator
from gongxin.indicators.tests.factories import world_build


@pytest.fixture
def indicators(db) -> dict[str, Indicator]:
    """The standard catalogue (migration 0002), by code."""
    return {i.code: i for i in Indicator.objects.select_related("numerator", "denominator").all()}


@pytest.fixture
def world(city, indicators) -> dict:
    return world_build(city.regions)
