"""The exact number of queries of the archive's pages, pinned in query_counts.json.

Each page is measured with 3 enterprises and with 30 (with qualifications, service officers,
parks, monthly figures and audit entries): the two counts must be equal, or a query runs per
row. `UPDATE_QUERY_COUNTS=1 pytest …` rewrites the baseline; read the diff before committing.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import tempfile
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongxin.core.audit import audit_record
from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import Industry
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.tests.factories import (
    EnterpriseFactory,
    MonthlyFigureFactory,
    QualificationFactory,
    make_uscc,
)
from gongxin.enterprises.tests.helpers import DISTRICT_A, World

BASELINE = Path(__file__).with_name("query_counts.json")
UPDATE = os.environ.get("UPDATE_QUERY_COUNTS") == "1"

PAGES = {
    "enterprise_list": lambda: reverse("enterprises:enterprise_list"),
    "enterprise_list_filtered": lambda: (
        reverse("enterprises:enterprise_list")
        + "?q=锂电池&qualification=high_tech&park=&size_class=small"
    ),
    "api_list": lambda: "/api/v1/enterprises",
    "export_xlsx": lambda: reverse("enterprises:enterprise_export"),
    "home": lambda: reverse("home"),
    "audit_log": lambda: reverse("audit_log"),
}
#: (page, user); the audit log is for administrators only.
CASES = [
    (page, user)
    for page in PAGES
    for user in (("admin",) if page == "audit_log" else ("staff", "district_a"))
]


def _rows_add(world: World, start: int, count: int) -> None:
    """`count` enterprises in district A, each with its own service officer, a park, valid,
    expired or soon-expiring qualifications, two years of one month's figures and an
    audit entry by its officer; and one enterprise in district B for every three."""
    regions = world.city.regions
    industries = list(Industry.objects.filter(code__in=["3841", "3961", "3670"]))
    today = timezone.localdate()
    for i in range(start, start + count):
        officer = UserFactory(username=f"qc-officer-{i}", role=Role.OFFICER)
        enterprise = EnterpriseFactory(
            uscc=make_uscc(300_000 + i),
            name=f"锂电池配套企业{i:03d}",
            district=regions[DISTRICT_A],
            park=regions["hkc" if i % 2 else "gxq"],
            industry=industries[i % len(industries)],
            size_class=("small", "medium", "large")[i % 3],
            service_officer=officer,
            main_products="锂电池隔膜",
        )
        if i % 3 == 0:
            QualificationFactory(enterprise=enterprise, kind="high_tech")
        elif i % 3 == 1:
            QualificationFactory(
                enterprise=enterprise,
                kind="high_tech",
                issued_on=dt.date(2018, 1, 1),
                expires_on=dt.date(2021, 1, 1),
            )
        else:
            QualificationFactory(enterprise=enterprise, kind="specialized_sme")
            QualificationFactory(
                enterprise=enterprise,
                kind="tech_sme",
                issued_on=today - dt.timedelta(days=300),
                expires_on=today + dt.timedelta(days=30 + i),
            )
        MonthlyFigureFactory(enterprise=enterprise, period=dt.date(2024, 1, 1))
        MonthlyFigureFactory(enterprise=enterprise, period=dt.date(2025, 1, 1))
        audit_record(
            actor=officer,
            action=AuditAction.UPDATE,
            obj=enterprise,
            changes={"main_products": ["", "锂电池隔膜"]},
        )
        if i % 3 == 0:
            EnterpriseFactory(
                uscc=make_uscc(400_000 + i),
                district=regions["360124"],
                service_officer=officer,
            )


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


def _baseline() -> dict[str, dict[str, int]]:
    return json.loads(BASELINE.read_text()) if BASELINE.exists() else {}


def _baseline_write(page: str, user: str, count: int) -> None:
    """Read-modify-write under a lock (parallel workers update one file)."""
    with open(Path(tempfile.gettempdir()) / "gongxin-query-counts.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = _baseline()
        data.setdefault(page, {})[user] = count
        data = {p: dict(sorted(v.items())) for p, v in sorted(data.items())}
        BASELINE.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@pytest.mark.parametrize("page, user", CASES)
def test_query_count(world, page, user):
    client = world.client(user)
    url = PAGES[page]()
    client.get(url)  # warm-up: per-process caches (content types, jieba) are not counted
    _rows_add(world, 0, 3)
    few = _count(client, url)
    _rows_add(world, 3, 27)
    many = _count(client, url)
    assert few == many, f"{page} as {user}: {few} queries with 3 rows, {many} with 30"
    if UPDATE:
        _baseline_write(page, user, many)
        return
    expected = _baseline().get(page, {}).get(user)
    assert expected is not None, f"no baseline for {page}/{user}: run with UPDATE_QUERY_COUNTS=1"
    assert many == expected, (
        f"{page} as {user}: {many} queries, baseline {expected} "
        "(UPDATE_QUERY_COUNTS=1 rewrites query_counts.json)"
    )


def test_baseline_has_no_stale_entries():
    listed = {(page, user) for page, users in _baseline().items() for user in users}
    assert listed <= set(CASES), listed - set(CASES)
