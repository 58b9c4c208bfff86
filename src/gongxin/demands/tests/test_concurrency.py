"""Two users act on the same demand at the same moment, each on its own database
connection: exactly one step is taken, the other gets the conflict message, nothing of it
is written. On PostgreSQL (real concurrent transactions)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from gongxin.demands import services
from gongxin.demands.choices import Action, Status
from gongxin.demands.models import Demand, DemandEvent
from gongxin.demands.tests.test_loop import people, register, walk  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"
    ),
]


def test_two_connections_at_once_exactly_one_wins(people):  # noqa: F811
    demand = walk(people, register(people), Status.IN_PROGRESS)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def act(step: str, text: str) -> None:
        mine = Demand.objects.get(pk=demand.pk)  # each loads the page …
        barrier.wait()  # … and both submit at once
        try:
            services.demand_step(actor=people["lead"], demand=mine, action=step, text=text)
            outcomes.append(step)
        except services.Conflict as conflict:
            outcomes.append(conflict)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=(Action.RESOLVE, "已解决")),
        threading.Thread(target=act, args=(Action.INTERIM, "阶段性答复")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    won = [o for o in outcomes if isinstance(o, str)]
    lost = [o for o in outcomes if isinstance(o, services.Conflict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert "刷新" in lost[0].messages[0]
    final = Demand.objects.get(pk=demand.pk)
    assert final.version == demand.version + 1
    last = DemandEvent.objects.filter(demand=demand).latest("pk")
    assert last.action == won[0]
    assert DemandEvent.objects.filter(demand=demand).count() == 5  # register … interim, + 1
