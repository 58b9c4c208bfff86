"""Data built once per test module: a module-scoped fixture yields what `build()` made
inside a transaction that is rolled back when the module's tests are done. Each test
still runs in its own savepoint (the `db` fixture), so what a test writes is undone after
it; tests must not change the built Python objects in place."""

from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import transaction
from django.test import override_settings

T = TypeVar("T")


def built_for_module(django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    """Generator for a module-scoped fixture: `yield from built_for_module(blocker, f)`."""
    # the autouse settings fixture is per test: hash passwords made here fast too
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
