"""The test suite's clock.

Every test runs at `NOW` with the clock ticking from there (the root conftest travels
there once per session), so a test that speaks of "today" means the same day from
collection to teardown, whatever the hour the suite runs at: midnight in Nanchang is
16:00 UTC, and a run across it would otherwise see two different days. Tests about the
day boundary itself travel further with the `time_machine` fixture.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

NANCHANG = ZoneInfo(settings.TIME_ZONE)  # the product's time zone: Beijing time

# 10:00 on a working Wednesday in Nanchang.
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=NANCHANG)
TODAY = NOW.date()
