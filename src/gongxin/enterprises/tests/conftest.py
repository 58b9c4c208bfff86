import pytest
from django.db import transaction
from django.test import override_settings

from gongxin.enterprises.tests.helpers import World, world_build


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    """The world, built once per test module inside a transaction rolled back at its end.

    Each test still runs in its own savepoint (the `db` fixture), so what a test writes is
    undone after it; tests must not change the Python objects of the world in place.
    """
    from gongxin.core.tests.factories import city_load

    # the autouse settings fixture is per test: hash the world's passwords fast here too
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = world_build(city_load())
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield world
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def world(_module_world, db) -> World:
    """Enterprise `a` in district A (park hkc), `b` in district B, one user per role."""
    return _module_world
