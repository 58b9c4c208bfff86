"""Shared test set-up: a fixed clock, fast password hashing, imports run inline, files
under tmp."""

import pytest
import time_machine

from gongxin.core.tests.clock import NOW


@pytest.fixture(autouse=True, scope="session")
def _suite_clock():
    """The whole session runs from `clock.NOW`, the clock ticking (see `clock`)."""
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # No persistent connections in tests: the live server's request threads would keep
    # theirs open and the test database could not be dropped at the end.
    from django.db import connections

    connections.settings["default"]["CONN_MAX_AGE"] = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.GONGXIN_IMPORT_SYNC = True
    settings.GONGXIN_IMPORT_DIR = tmp_path / "imports"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Each test starts in the default language: a request's language (the middleware
    activates it for the thread) must not leak into the next test."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def city(db):
    """The demo city's regions and departments."""
    from gongxin.core.tests.factories import city_load

    return city_load()
