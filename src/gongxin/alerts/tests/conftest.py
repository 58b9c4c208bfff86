import pytest

from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory
from gongxin.core.tests.module_data import built_for_module
from gongxin.enterprises.tests.helpers import World, world_build


def alerts_world_build(city) -> World:
    """The enterprises' world (`enterprises.tests.helpers.world_build`): enterprise `a` in
    district A (park hkc) served by `officer`, `b` in district B, one user per role; here
    `b` is served by `officer_b`, and `official` is an officer who serves neither, to be
    made responsible for projects. (`a` holds a high-tech certificate expiring in 2027.)"""
    world = world_build(city)
    world.users["officer_b"] = UserFactory(username="officer_b", role=Role.OFFICER)
    world.users["official"] = UserFactory(username="official", role=Role.OFFICER)
    world.b.service_officer = world.users["officer_b"]
    world.b.save(update_fields=["service_officer"])
    return world


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    from gongxin.core.tests.factories import city_load

    yield from built_for_module(django_db_blocker, lambda: alerts_world_build(city_load()))


@pytest.fixture
def world(_module_world, db) -> World:
    """See `alerts_world_build`; built once per module, each test's writes undone."""
    return _module_world
