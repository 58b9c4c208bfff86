"""What the chain benchmark measures, and how.

- `page_data`: the chain page's data, by running `ChainDetailView.get` itself with its
  `render` replaced by a function that keeps the context instead of rendering it; the
  querysets the template iterates (leaders, masters, targets, suggestions, …) are then
  evaluated as the template would. So the figure is exactly what the view computes, with
  the selectors it calls, without the template.
- `rendered_page`: the same view with the real `render` (HTML, five maps as JSON): for
  reference only, not a target.
- each selector the page calls, on its own, with the arguments the view gives it.

`measure` runs a function once as a warm-up under `CaptureQueriesContext` (the query count
and each statement's time), then `runs` times under a light `execute_wrapper` that counts
the statements and adds up the time spent in `cursor.execute`, and keeps the median.

`SelectorTimes` splits a page run by selector: while it is active every public function of
`gongxin.chains.selectors` is wrapped, so each call the view makes (with the arguments it
makes it with) is timed and its statements counted, whatever the view's code looks like.
"""

from __future__ import annotations

import inspect
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from unittest import mock

#: The context entries the chain template iterates: lazy querysets in the view's context.
LAZY = ("subchains", "leaders", "lead_departments", "masters", "targets", "suggestions")


def _request(user, code: str):
    from django.test import RequestFactory

    request = RequestFactory().get(f"/chains/{code}/")
    request.user = user
    return request


def page_data(user, code: str) -> dict:
    """The context ChainDetailView.get builds for the chain page, fully evaluated."""
    from gongxin.chains import views

    kept: dict = {}

    def keep(request, template_name, context=None, *args, **kwargs):
        kept.update(context or {})
        return None

    with mock.patch.object(views, "render", keep):
        views.ChainDetailView.as_view()(_request(user, code), code=code)
    for name in LAZY:
        kept[name] = list(kept[name])
    return kept


def rendered_page(user, code: str) -> int:
    """The chain page as HTML (template and the maps' JSON included); its size in bytes."""
    from gongxin.chains import views

    response = views.ChainDetailView.as_view()(_request(user, code), code=code)
    assert response.status_code == 200, response.status_code
    return len(response.content)


@dataclass
class StatementCounter:
    """An execute_wrapper: how many statements ran and how long `execute` took in all
    (on PostgreSQL that includes receiving the rows; SQLite hands rows over lazily, so
    there part of the database's work falls outside it)."""

    count: int = 0
    seconds: float = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


class SelectorTimes:
    """Times every call of a public function of gongxin.chains.selectors while active, with
    the statements it ran (needs `counter` installed as an execute_wrapper). A call made
    inside another selector's is nested: its time is in the outer one's too, so `outer_*`
    add up only the calls the view made itself."""

    def __init__(self, counter: StatementCounter):
        self.counter = counter
        self.calls: dict[str, dict] = {}  # in the order of their first call
        self.depth = 0
        self._saved: list[tuple[str, object]] = []

    def _wrap(self, name: str, fn):
        def timed(*args, **kwargs):
            queries, sql = self.counter.count, self.counter.seconds
            # listed in the order the calls begin (an inner call ends first)
            self.calls.setdefault(
                name,
                dict.fromkeys(
                    (
                        "calls",
                        "ms",
                        "queries",
                        "sql_ms",
                        "outer_calls",
                        "outer_ms",
                        "outer_queries",
                        "outer_sql_ms",
                    ),
                    0,
                ),
            )
            self.depth += 1
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                self.depth -= 1
                entry = self.calls[name]
                entry["ms"] += elapsed * 1000
                entry["queries"] += self.counter.count - queries
                entry["sql_ms"] += (self.counter.seconds - sql) * 1000
                entry["calls"] += 1
                if self.depth == 0:
                    entry["outer_calls"] += 1
                    entry["outer_ms"] += elapsed * 1000
                    entry["outer_queries"] += self.counter.count - queries
                    entry["outer_sql_ms"] += (self.counter.seconds - sql) * 1000

        return timed

    def __enter__(self) -> SelectorTimes:
        from gongxin.chains import selectors

        for name, fn in list(vars(selectors).items()):
            if (
                inspect.isfunction(fn)
                and fn.__module__ == selectors.__name__
                and not name.startswith("_")
            ):
                self._saved.append((name, fn))
                setattr(selectors, name, self._wrap(name, fn))
        return self

    def __exit__(self, *exc) -> None:
        from gongxin.chains import selectors

        for name, fn in self._saved:
            setattr(selectors, name, fn)
        self._saved.clear()


@dataclass
class Measurement:
    name: str
    runs_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    queries: int = 0
    #: The warm-up's statements, slowest first: (milliseconds, SQL).
    slowest: list[tuple[float, str]] = field(default_factory=list)
    note: str = ""
    #: Per timed run, SelectorTimes.calls (with `by_selector`).
    parts: list[dict[str, dict]] = field(default_factory=list)

    def by_selector(self) -> list[dict]:
        """Each selector the runs called: medians over the runs, in the order of the calls."""
        names: list[str] = []
        for run in self.parts:
            names += [n for n in run if n not in names]
        out = []
        for name in names:
            runs = [run.get(name) for run in self.parts]
            runs = [r for r in runs if r]
            out.append(
                {
                    "name": name,
                    "median_ms": statistics.median(r["ms"] for r in runs),
                    "runs_ms": [r["ms"] for r in runs],
                    "sql_median_ms": statistics.median(r["sql_ms"] for r in runs),
                    "queries": runs[-1]["queries"],
                    "calls": runs[-1]["calls"],
                    # only ever called inside another selector
                    "nested": not any(r["outer_calls"] for r in runs),
                    "outer_ms": statistics.median(r["outer_ms"] for r in runs),
                    "outer_queries": runs[-1]["outer_queries"],
                    "outer_sql_ms": statistics.median(r["outer_sql_ms"] for r in runs),
                }
            )
        return out

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs_ms)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "median_ms": self.median_ms,
            "runs_ms": self.runs_ms,
            "sql_median_ms": statistics.median(self.sql_ms) if self.sql_ms else None,
            "queries": self.queries,
            "note": self.note,
            "slowest": [{"ms": ms, "sql": sql[:2000]} for ms, sql in self.slowest],
            "selectors": self.by_selector() if self.parts else [],
            "rest": self.rest() if self.parts else None,
        }

    def rest(self) -> dict:
        """What the runs spent outside the selectors the view called (the view itself, the
        querysets it hands the template), run by run, then the median."""
        ms = [
            total - sum(p["outer_ms"] for p in run.values())
            for total, run in zip(self.runs_ms, self.parts, strict=True)
        ]
        sql = [
            total - sum(p["outer_sql_ms"] for p in run.values())
            for total, run in zip(self.sql_ms, self.parts, strict=True)
        ]
        queries = self.queries - sum(p["outer_queries"] for p in self.parts[-1].values())
        return {
            "median_ms": statistics.median(ms),
            "runs_ms": ms,
            "sql_median_ms": statistics.median(sql),
            "queries": queries,
        }


def measure(
    name: str,
    fn: Callable[[], object],
    *,
    runs: int = 5,
    warm_up: bool = True,
    keep_slowest: int = 0,
    note: str = "",
    by_selector: bool = False,
) -> tuple[Measurement, object]:
    """Time `fn` (see the module's docstring); returns the measurement and fn's last result.

    Without `warm_up` the statements are counted in the timed run(s) by the execute_wrapper
    only: CaptureQueriesContext keeps at most `connection.queries_limit` (9,000) of them.
    With `by_selector` the timed runs also time each selector call (SelectorTimes).
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = None
    out = Measurement(name, note=note)
    if warm_up:
        counter = StatementCounter()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(counter):
            result = fn()
        # Django logs COMMIT (a chain's stored figures are written in a transaction), which
        # no cursor executes: the two ways of counting must agree on the rest.
        control = sum(
            1
            for q in captured.captured_queries
            if q["sql"].strip().upper() in ("BEGIN", "COMMIT", "ROLLBACK")
        )
        out.queries = len(captured) - control
        if counter.count != out.queries:
            raise AssertionError(f"{name}: {counter.count} statements, captured {out.queries}")
        slowest = sorted(
            ((float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries),
            reverse=True,
        )
        out.slowest = slowest[:keep_slowest]
    for _ in range(runs):
        counter = StatementCounter()
        parts = SelectorTimes(counter)
        with connection.execute_wrapper(counter):
            if by_selector:
                parts.__enter__()
            try:
                start = time.perf_counter()
                result = fn()
                elapsed = time.perf_counter() - start
            finally:
                parts.__exit__()
        if by_selector:
            out.parts.append(parts.calls)
        out.runs_ms.append(elapsed * 1000)
        out.sql_ms.append(counter.seconds * 1000)
        # Every timed run makes the same statements (the warm-up may make more: the first
        # view after a change stores the chain's figures, the runs after it read them).
        if out.runs_ms[1:] and counter.count != out.queries:
            raise AssertionError(f"{name}: {counter.count} statements, then {out.queries}")
        out.queries = counter.count
    return out, result
