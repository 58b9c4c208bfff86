"""How the demand benchmark times a step and counts its statements.

`measure` runs a function `runs` times, each after an untimed `setup` (what makes the run
the case it measures: alerts deleted before a first sweep, every day marked stale before
a rebuild, one demand changed before a view after a change), optionally after a warm-up run
(not counted), under an `execute_wrapper` that counts the statements, adds up the time spent
in `cursor.execute` and keeps the slowest statements with their parameters (for EXPLAIN).
The figure reported is the best run; the median and every run are kept.
"""

from __future__ import annotations

import heapq
import itertools
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class StatementCounter:
    """An execute_wrapper: statements run, time in `execute` (PostgreSQL receives the rows
    in it; SQLite hands them over lazily, after it), and the `keep` slowest statements."""

    keep: int = 0
    count: int = 0
    seconds: float = 0.0
    slowest: list = field(default_factory=list)  # heap of (seconds, n, sql, params)
    _n: itertools.count = field(default_factory=itertools.count)

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            self.seconds += elapsed
            self.count += 1
            if self.keep and not many:
                item = (elapsed, next(self._n), sql, params)
                if len(self.slowest) < self.keep:
                    heapq.heappush(self.slowest, item)
                elif elapsed > self.slowest[0][0]:
                    heapq.heapreplace(self.slowest, item)


def short_params(params, limit: int = 200) -> list[str]:
    """A statement's parameters for the report: bulk inserts pass arrays of thousands."""
    out = []
    for p in list(params or ())[:50]:
        text = str(p)
        out.append(text if len(text) <= limit else text[:limit] + f"… ({len(text):,} chars)")
    return out


@dataclass
class Measurement:
    name: str
    runs_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    note: str = ""
    #: The slowest statements of the best run: (ms, sql, params).
    slowest: list[tuple[float, str, object]] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def best_ms(self) -> float:
        return min(self.runs_ms)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs_ms)

    def as_dict(self) -> dict:
        best = self.runs_ms.index(self.best_ms)
        return {
            "name": self.name,
            "best_ms": self.best_ms,
            "median_ms": self.median_ms,
            "runs_ms": self.runs_ms,
            "sql_ms": self.sql_ms[best],
            "queries": self.queries[best],
            "queries_per_run": self.queries,
            "note": self.note,
            "slowest": [
                {"ms": ms, "sql": sql[:3000], "params": short_params(params)}
                for ms, sql, params in self.slowest
            ],
            **self.extra,
        }


def measure(
    name: str,
    fn: Callable[[], object],
    *,
    runs: int = 3,
    warm_up: bool = True,
    setup: Callable[[], None] | None = None,
    keep_slowest: int = 5,
    note: str = "",
) -> tuple[Measurement, object]:
    """Time `fn` (see the module's docstring); returns the measurement and the result of
    its best run."""
    from django.db import connection

    out = Measurement(name, note=note)
    if warm_up:
        if setup is not None:
            setup()
        fn()
    best_result = None
    for _ in range(runs):
        if setup is not None:
            setup()
        counter = StatementCounter(keep=keep_slowest)
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            result = fn()
            elapsed = (time.perf_counter() - start) * 1000
        if not out.runs_ms or elapsed < out.best_ms:
            best_result = result
            out.slowest = [
                (s * 1000, sql, params)
                for s, _n, sql, params in sorted(counter.slowest, reverse=True)
            ]
        out.runs_ms.append(elapsed)
        out.sql_ms.append(counter.seconds * 1000)
        out.queries.append(counter.count)
    return out, best_result
