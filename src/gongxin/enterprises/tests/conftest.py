import pytest

from gongxin.core.tests.module_data import built_for_module
from gongxin.enterprises.tests.helpers import World, world_build


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    """The world, built once per test module (see `built_for_module`)."""
    from gongxin.core.tests.factories import city_load

    yield from built_for_module(django_db_blocker, lambda: world_build(city_load()))


@pytest.fixture
def world(_module_world, db) -> World:
    """Enterprise `a` in district A (park hkc), `b` in district B, one user per role."""
    return _module_world
