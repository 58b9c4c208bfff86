"""Plan document benchmark (行动方案拆分): splitting a 200-page plan document into its tree
of tasks with gongxin's reader and parser, next to a naive line-by-line regular expression
in the same run.

    .venv/bin/python bench/plans/run.py [--pages N] [--quick] [--repeat K] [--seed S]
                                        [--profile]

Generates (datagen.py, seeded) an invented plan document of N pages (default 200, about
1,500 characters a page) as PDF-like text, Markdown and DOCX under bench/data/, then times,
best of K runs each (default 5), interleaved: `reading.read()` + `parser.parse()` on each
file; the same plus `proposals.propose()` on every task (with the demo departments as the
vocabulary, and with an empty one); and a naive pass that reads the file line by line (a
DOCX paragraph by paragraph) and matches one regular expression per line for the markers
一、 （一） 1. （1）. Checks that the parse finds the outline the generator wrote, measures
the parse's peak memory, and writes bench/results/plans-<YYYYMMDD-HHMM>.json and .md. No
database: Django is set up (the parser's messages use gettext) with a scratch
GONGXIN_VAR_DIR under bench/data/runs/. See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import re
import shutil
import signal
import sys
import time
import traceback
import tracemalloc
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parent))  # bench/, for common.py
import datagen  # noqa: E402
from common import (  # noqa: E402
    DATA,
    PROJECT,
    RESULTS,
    django_setup,
    environment,
    log,
    num,
    report_footer,
    result_base,
    short_paths,
    source_digest,
)

RUN_ID = str(os.getpid())
#: Scratch space of this run (the var dir Django is pointed at); nothing goes to var/.
SCRATCH = DATA / "runs" / f"plans-{RUN_ID}"
DEFAULT_PAGES = 200
QUICK_PAGES = 20
DEFAULT_REPEAT = 5
TARGET_SECONDS = 2.0  # read + parse of the 200-page text
FORMATS = ("txt", "md", "docx")
FORMAT_LABELS = {"txt": ".txt (PDF-like text)", "md": ".md", "docx": ".docx"}
STYLES = ("cn_dun", "cn_paren", "ar_dot", "ar_paren", "cn_shi")
STYLE_LABELS = {
    "cn_dun": "一、",
    "cn_paren": "（一）",
    "ar_dot": "1.",
    "ar_paren": "（1）",
    "cn_shi": "一是 (run in)",
}

#: The modules the pipeline runs through (what `source_digest` covers).
PLAN_SOURCES = (
    "settings.py",
    "plans/parser.py",
    "plans/reading.py",
    "plans/proposals.py",
    "core/tabular/reading.py",
)

#: The naive baseline: one expression per line for the four markers, no nesting, no
#: joining of broken lines, no page furniture, no run-in items. `[#\s]*` lets it read
#: Markdown headings too.
NAIVE_MARKER = re.compile(
    r"^[#\s]*(?:(?P<cn_dun>[一二三四五六七八九十]+)、|[（(](?P<cn_paren>[一二三四五六七八九十]+)[）)]"
    r"|(?P<ar_dot>\d+)[.．、]|[（(](?P<ar_paren>\d+)[）)])"
)


# The measured work -------------------------------------------------------------------------


def gongxin_parse(path: Path):
    from gongxin.plans import parser, reading

    with path.open("rb") as handle:
        return parser.parse(reading.read(handle, name=path.name))


def demo_vocabulary():
    """The demo departments as `plans.selectors.vocabulary` names them (full name, short
    name, the full name from 市 on), without the database."""
    from gongxin.core.demo import DEPARTMENTS
    from gongxin.plans.proposals import Named, Vocabulary

    def without_city(name: str) -> str:
        index = name.find("市")
        return name[index:] if 0 < index <= 4 else ""

    return Vocabulary(
        departments=[
            Named("department", code, name, (name, short, without_city(name)))
            for code, name, short, _kind in DEPARTMENTS
        ]
    )


def empty_vocabulary():
    from gongxin.plans.proposals import Vocabulary

    return Vocabulary()


def gongxin_propose(path: Path, vocabulary: Callable) -> tuple[object, list]:
    """Read, parse, then propose owners, deadline, targets for every task (the vocabulary
    built inside the timed call, as a request builds it)."""
    from gongxin.plans.proposals import propose

    plan = gongxin_parse(path)
    vocab = vocabulary()
    year = plan.date.year if plan.date else datagen.ISSUED.year
    return plan, [propose(node.text, vocabulary=vocab, year=year) for node in plan.walk()]


def naive_pass(path: Path) -> Counter:
    """The simplest splitter: each line (a DOCX: each paragraph) matched once."""
    counts: Counter = Counter()
    if path.suffix == ".docx":
        import docx

        lines = (paragraph.text for paragraph in docx.Document(str(path)).paragraphs)
        for line in lines:
            match = NAIVE_MARKER.match(line)
            if match:
                counts[match.lastgroup] += 1
        return counts
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            match = NAIVE_MARKER.match(line)
            if match:
                counts[match.lastgroup] += 1
    return counts


# Checks ------------------------------------------------------------------------------------


def outline(tasks, depth: int = 0):
    for node in tasks:
        yield depth, node
        yield from outline(node.children, depth + 1)


def style_counts(plan) -> dict[str, int]:
    return dict(Counter(node.style for node in plan.walk()))


def check(plan, doc: datagen.PlanDocument) -> dict:
    """The parse against what the generator wrote: the outline (depth, style and number
    of every item, in order), each item's text, the title, date, number and author."""
    got = [(depth, node.style, node.number) for depth, node in outline(plan.tasks)]
    want = [(item.depth, item.style, item.number) for item in doc.items]
    first_diff = next(
        (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b),
        None if len(got) == len(want) else min(len(got), len(want)),
    )
    nodes = [node for _depth, node in outline(plan.tasks)]
    texts_same = texts_breaks = chars_lost = 0
    text_diffs = []
    if first_diff is None:
        for node, item in zip(nodes, doc.items, strict=True):
            if node.text == item.text:
                texts_same += 1
                continue
            # A line of the text file that ends a sentence (or a clause, at ：) ends the
            # paragraph: the rest comes back as a paragraph of its own, joined by a break.
            got_flat, want_flat = node.text.replace("\n", ""), item.text.replace("\n", "")
            if got_flat == want_flat:
                texts_breaks += 1
                continue
            chars_lost += len(want_flat) - len(got_flat)
            if len(text_diffs) < 5:
                text_diffs.append(
                    {"item": f"{item.style} {item.number}", **_difference(want_flat, got_flat)}
                )
    meta_want = {
        "title": datagen.TITLE,
        "date": datagen.ISSUED.isoformat(),
        "number": datagen.DOC_NUMBER,
        "author": datagen.OFFICE,
    }
    meta_got = {
        "title": plan.title,
        "date": plan.date.isoformat() if plan.date else None,
        "number": plan.number,
        "author": plan.author,
    }
    outline_diff = None
    if first_diff is not None:
        outline_diff = {
            "at": first_diff,
            "expected": want[first_diff : first_diff + 3],
            "found": got[first_diff : first_diff + 3],
            "found_text": [n.text[:60] for n in nodes[first_diff : first_diff + 3]],
        }
    return {
        "outline_same": first_diff is None,
        "outline_diff": outline_diff,
        "tasks": len(got),
        "tasks_expected": len(want),
        "texts_same": texts_same if first_diff is None else None,
        "texts_same_but_breaks": texts_breaks if first_diff is None else None,
        "texts_differing": len(got) - texts_same - texts_breaks if first_diff is None else None,
        "chars_lost": chars_lost,
        "text_diffs": text_diffs,
        "meta": meta_got,
        "meta_same": meta_got == meta_want,
        "warnings": list(plan.warnings),
        "preamble_chars": len(plan.preamble),
    }


def _difference(want: str, got: str) -> dict:
    start = next(
        (i for i, (a, b) in enumerate(zip(want, got, strict=False)) if a != b),
        min(len(want), len(got)),
    )
    return {
        "at": start,
        "expected": want[max(0, start - 15) : start + 25],
        "found": got[max(0, start - 15) : start + 25],
        "missing_chars": len(want) - len(got),
    }


def proposal_summary(proposals: list) -> dict:
    return {
        "with_owners": sum(1 for p in proposals if p.owners),
        "with_department": sum(1 for p in proposals if p.owner_refs),
        "with_deadline": sum(1 for p in proposals if p.deadline),
        "with_targets": sum(1 for p in proposals if p.targets),
        "targets": sum(len(p.targets) for p in proposals),
    }


# Memory ------------------------------------------------------------------------------------


def _status(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _traced_peak(fn: Callable[[], object]) -> tuple[int, int, object]:
    """Peak and retained Python allocation of one call (tracemalloc), and its result."""
    gc.collect()
    tracemalloc.start()
    result = fn()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, current, result


def memory(path: Path) -> dict:
    """The Python memory of reading and parsing `path`: the peak of read + parse, of the
    read alone, of the parse alone, and what the parsed plan and
    the source hold after it; then the process's peak resident size during one more read +
    parse (VmHWM, reset through /proc/self/clear_refs first: in a process that already ran
    the measurements it grows little)."""
    from gongxin.plans import parser, reading

    def read():
        with path.open("rb") as handle:
            return reading.read(handle, name=path.name)

    total_peak, retained, _plan = _traced_peak(lambda: gongxin_parse(path))
    del _plan
    read_peak, _current, source = _traced_peak(read)
    parse_peak, _current, _plan = _traced_peak(lambda s=source: parser.parse(s))
    del source, _plan
    gc.collect()
    before = _status("VmRSS")
    try:
        Path("/proc/self/clear_refs").write_text("5")
        reset = True
    except OSError:
        reset = False
    gongxin_parse(path)
    hwm = _status("VmHWM") if reset else None
    return {
        "tracemalloc_peak": total_peak,
        "tracemalloc_read_peak": read_peak,
        "tracemalloc_parse_peak": parse_peak,
        "tracemalloc_retained": retained,
        "rss_before": before,
        "rss_peak": hwm,
        "rss_growth": hwm - before if hwm is not None and before is not None else None,
    }


# Measuring ---------------------------------------------------------------------------------


def measure(paths: dict[str, Path], doc: datagen.PlanDocument, repeat: int) -> dict[str, dict]:
    """Every case `repeat` times, in rounds (each round runs every case once), so that a
    change of load meets all of them alike; then the checks and the memory."""
    cases: list[tuple[str, str, Callable[[], object]]] = []
    for fmt in FORMATS:
        path = paths[fmt]
        cases += [
            (fmt, "parse", lambda p=path: gongxin_parse(p)),
            (fmt, "propose", lambda p=path: gongxin_propose(p, demo_vocabulary)),
            (fmt, "propose_empty", lambda p=path: gongxin_propose(p, empty_vocabulary)),
            (fmt, "naive", lambda p=path: naive_pass(p)),
        ]
    times: dict[tuple[str, str], list[float]] = {(f, c): [] for f, c, _ in cases}
    results: dict[tuple[str, str], object] = {}
    errors: dict[tuple[str, str], str] = {}
    for round_ in range(repeat):
        log(f"round {round_ + 1} of {repeat}")
        for fmt, case, fn in cases:
            if (fmt, case) in errors:
                continue
            start = time.perf_counter()
            try:
                result = fn()
            except Exception:
                errors[(fmt, case)] = traceback.format_exc()
                log(f"{fmt} {case} failed:\n{errors[(fmt, case)]}")
                continue
            times[(fmt, case)].append(time.perf_counter() - start)
            results[(fmt, case)] = result
    out: dict[str, dict] = {}
    for fmt in FORMATS:
        entry: dict = {"format": fmt, "file": str(paths[fmt].relative_to(PROJECT))}
        entry["bytes"] = paths[fmt].stat().st_size
        for case in ("parse", "propose", "propose_empty", "naive"):
            runs = times[(fmt, case)]
            entry[case] = {
                "runs": runs,
                "best": min(runs) if runs else None,
                "first": runs[0] if runs else None,
                "error": errors.get((fmt, case)),
            }
        if (fmt, "parse") in results:
            plan = results[(fmt, "parse")]
            entry["parse"]["tasks"] = sum(1 for _ in plan.walk())
            entry["parse"]["styles"] = style_counts(plan)
            entry["checks"] = check(plan, doc)
            from gongxin.plans import reading

            with paths[fmt].open("rb") as handle:
                source = reading.read(handle, name=paths[fmt].name)
            entry["chars"] = sum(len(block.text) for block in source.blocks)
            entry["memory"] = memory(paths[fmt])
        else:
            entry["chars"] = None
            entry["checks"] = {"outline_same": False}
        for case in ("propose", "propose_empty"):
            if (fmt, case) in results:
                entry[case]["proposals"] = proposal_summary(results[(fmt, case)][1])
        if (fmt, "naive") in results:
            counts = results[(fmt, "naive")]
            entry["naive"]["tasks"] = sum(counts.values())
            entry["naive"]["styles"] = dict(counts)
        if entry["chars"]:
            for case in ("parse", "propose", "naive"):
                best = entry[case]["best"]
                entry[case]["chars_per_s"] = entry["chars"] / best if best else None
        parse_best, naive_best = entry["parse"]["best"], entry["naive"]["best"]
        entry["ratio"] = parse_best / naive_best if parse_best and naive_best else None
        out[fmt] = entry
    return out


def profile(paths: dict[str, Path], base: Path, pages: int) -> tuple[Path, dict[str, str]]:
    """cProfile read + parse of each file, and read + parse + propose of the text, after a
    warm-up; writes the report's profile file (raw .prof files in bench/data/) and returns
    it with each file's top 15 functions of read + parse by cumulative time."""

    def table(prof: cProfile.Profile, sort: str, limit: int) -> str:
        stream = io.StringIO()
        pstats.Stats(prof, stream=stream).strip_dirs().sort_stats(sort).print_stats(limit)
        return short_paths(stream.getvalue())

    sections = []
    tops = {}
    for fmt in FORMATS:
        gongxin_propose(paths[fmt], demo_vocabulary)  # warm: imports, OpenCC's dictionaries
        profiler = cProfile.Profile()
        profiler.enable()
        gongxin_parse(paths[fmt])
        profiler.disable()
        profiler.dump_stats(DATA / f"{base.name}-{fmt}-parse.prof")
        tops[fmt] = table(profiler, "cumulative", 15)
        sections += [
            f"read + parse of {paths[fmt].name} ({pages} pages), by cumulative time",
            table(profiler, "cumulative", 40),
            f"read + parse of {paths[fmt].name}, by internal time",
            table(profiler, "tottime", 25),
        ]
    profiler = cProfile.Profile()
    profiler.enable()
    gongxin_propose(paths["txt"], demo_vocabulary)
    profiler.disable()
    profiler.dump_stats(DATA / f"{base.name}-txt-propose.prof")
    sections += [
        f"read + parse + propose (demo departments) of {paths['txt'].name}, by cumulative time",
        table(profiler, "cumulative", 40),
    ]
    out = RESULTS / f"{base.name}-profile.txt"
    header = f"plans benchmark: cProfile ({pages} pages)\n\n"
    out.write_text(header + "\n".join(sections), encoding="utf-8")
    return out, tops


# Reporting ---------------------------------------------------------------------------------


def _s(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 1000:,.1f} ms" if value < 0.1 else f"{value:,.2f} s"


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value / 1000:,.0f} k/s"


def _mib(value: int | None) -> str:
    return "–" if value is None else f"{value / 1048576:,.1f} MiB"


def summary_table(runs: list[dict], expected: int) -> list[str]:
    lines = [
        "| |" + "".join(f" {FORMAT_LABELS[r['format']]} |" for r in runs),
        "|---|" + "---:|" * len(runs),
    ]

    def row(label: str, cell) -> None:
        lines.append(f"| {label} |" + "".join(f" {cell(r)} |" for r in runs))

    def err(r: dict, case: str) -> str | None:
        return "**crashed**" if r[case].get("error") else None

    row("file", lambda r: f"{r['bytes'] / 1024:,.0f} KiB, {num(r['chars'])} characters read")
    row(
        "**gongxin** `read()` + `parse()`: best (first)",
        lambda r: err(r, "parse") or f"**{_s(r['parse']['best'])}** ({_s(r['parse']['first'])})",
    )
    row("… characters/s", lambda r: _rate(r["parse"].get("chars_per_s")))
    row(
        f"… tasks found (generated: {expected:,})",
        lambda r: num(r["parse"].get("tasks")),
    )
    row(
        "gongxin + `propose()` on every task (demo departments): best",
        lambda r: err(r, "propose") or _s(r["propose"]["best"]),
    )
    row("… characters/s", lambda r: _rate(r["propose"].get("chars_per_s")))
    row(
        "gongxin + `propose()` (empty vocabulary): best",
        lambda r: err(r, "propose_empty") or _s(r["propose_empty"]["best"]),
    )
    row(
        "**naive** line-by-line regex: best",
        lambda r: err(r, "naive") or f"**{_s(r['naive']['best'])}**",
    )
    row("… characters/s", lambda r: _rate(r["naive"].get("chars_per_s")))
    row("… markers found (no run-in items)", lambda r: num(r["naive"].get("tasks")))
    row("**gongxin ÷ naive** (read + parse)", lambda r: f"**{num(r['ratio'], '{:,.1f}×')}**")
    row(
        "peak memory (tracemalloc): read + parse / `read()` alone / `parse()` alone",
        lambda r: (
            f"{_mib(r['memory']['tracemalloc_peak'])} / "
            f"{_mib(r['memory']['tracemalloc_read_peak'])} / "
            f"{_mib(r['memory']['tracemalloc_parse_peak'])}"
            if r.get("memory")
            else "–"
        ),
    )
    row(
        "… held by the parsed plan afterwards; process peak RSS during one more",
        lambda r: (
            f"{_mib(r['memory']['tracemalloc_retained'])}; {_mib(r['memory']['rss_peak'])}"
            if r.get("memory")
            else "–"
        ),
    )
    row(
        "outline as generated",
        lambda r: "yes" if r["checks"].get("outline_same") else "**NO**",
    )
    row(
        "task text as generated: same / same but for line breaks / **differs**",
        lambda r: (
            f"{r['checks']['texts_same']:,} / {r['checks']['texts_same_but_breaks']:,} / "
            + (
                f"**{r['checks']['texts_differing']:,}** ({r['checks']['chars_lost']:,} "
                "characters lost)"
                if r["checks"]["texts_differing"]
                else "0"
            )
            if r["checks"].get("texts_same") is not None
            else "–"
        ),
    )
    row(
        "title, date, number, author",
        lambda r: "yes" if r["checks"].get("meta_same") else "**NO**",
    )
    return lines


def styles_table(runs: list[dict], expected: dict[str, int]) -> list[str]:
    lines = [
        "| marker | generated |"
        + "".join(f" gongxin {r['format']} |" for r in runs)
        + "".join(f" naive {r['format']} |" for r in runs),
        "|---|---:|" + "---:|" * (2 * len(runs)),
    ]
    for style in STYLES:
        lines.append(
            f"| {STYLE_LABELS[style]} | {expected.get(style, 0):,} |"
            + "".join(f" {num(r['parse'].get('styles', {}).get(style, 0))} |" for r in runs)
            + "".join(f" {num(r['naive'].get('styles', {}).get(style, 0))} |" for r in runs)
        )
    return lines


def targets(runs: list[dict], options: dict) -> list[str]:
    txt = next((r for r in runs if r["format"] == "txt"), None)
    if txt is None or txt["parse"]["best"] is None:
        return ["- the text file could not be parsed: target **NOT met**"]
    best = txt["parse"]["best"]
    met = "met" if best < TARGET_SECONDS else "**NOT met**"
    lines = [
        f"- {options['pages']}-page text, `read()` + `parse()`: {_s(best)} best of "
        f"{options['repeat']} (target < {TARGET_SECONDS:.0f} s: {met}); the naive "
        f"line-by-line regex {_s(txt['naive']['best'])} ({num(txt['ratio'], '{:,.1f}×')} "
        f"faster); with `propose()` on every task {_s(txt['propose']['best'])}",
    ]
    if options["pages"] != DEFAULT_PAGES:
        lines.append(
            f"- (the target is for {DEFAULT_PAGES} pages; this run had {options['pages']})"
        )
    return lines


def problems(runs: list[dict]) -> list[str]:
    out = []
    for r in runs:
        label = FORMAT_LABELS[r["format"]]
        for case in ("parse", "propose", "propose_empty", "naive"):
            if r[case].get("error"):
                last = r[case]["error"].strip().splitlines()[-1]
                out.append(f"- {label}: {case} crashed: `{last}`")
        c = r["checks"]
        if c.get("outline_diff"):
            d = c["outline_diff"]
            out.append(
                f"- {label}: the outline differs from the generated one at item {d['at']:,}: "
                f"expected {d['expected']}, found {d['found']} ({d['found_text']})"
            )
        if c.get("texts_differing"):
            out.append(
                f"- {label}: {c['texts_differing']:,} of {c['tasks']:,} tasks came back with "
                f"less text than the document holds ({c['chars_lost']:,} characters in all), "
                "e.g. (line breaks left out):"
            )
            for d in c["text_diffs"][:3]:
                out.append(
                    f"  - {d['item']}: expected “…{d['expected']}”, found “…{d['found']}” "
                    f"({d['missing_chars']:,} characters missing)"
                )
        if c.get("meta") and not c.get("meta_same"):
            out.append(f"- {label}: title/date/number/author read as {c['meta']}")
        if c.get("warnings"):
            out.append(f"- {label}: parser warnings: {c['warnings']}")
    return out


def _trim_profile(text: str) -> str:
    """pstats' table without its preamble (from the header line on)."""
    lines = text.strip().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return "\n".join(lines[start:])


def markdown(report: dict) -> str:
    env = report["environment"]
    opts = report["options"]
    d = report["document"]
    runs = report["runs"]
    counts = d["expected_styles"]
    out = [
        f"# Plan splitting benchmark {report['started']}",
        "",
        f"An invented plan document of {opts['pages']} pages (seed {opts['seed']}): "
        f"{d['body_chars']:,} characters of body text; a covering notice, the title, "
        f"{counts.get('cn_dun', 0)} sections 一、, {counts.get('cn_paren', 0):,} subsections "
        f"（一）, {counts.get('ar_dot', 0):,} items 1. (counting on across sections), "
        f"{counts.get('ar_paren', 0):,} sub-items （1）, {counts.get('cn_shi', 0):,} run-in "
        f"items 一是…; {d['expected_tasks']:,} tasks in all. As PDF-like text (lines broken at "
        f"36 characters, {d['txt_lines']:,} lines, page numbers and running headers), Markdown "
        "and DOCX.",
        "",
        f"Machine: {env['cpu']} × {env['cpus']}, Python {env['python']}, Django "
        f"{env['django']}, python-docx {env['python-docx']}, Markdown {env['markdown']}, "
        f"lxml {env['lxml']}, OpenCC {env['opencc']}.",
        "",
        f"*gongxin*: `reading.read()` + `parser.parse()` on the file, best of {opts['repeat']} "
        "(*first*: the first call in the process, loading OpenCC's dictionaries and the "
        "readers' libraries); *+ propose()*: the same, then `proposals.propose()` on every "
        "task's text (a `Vocabulary` of the demo departments built in the call, or an empty "
        "one). *naive*: the file read line by line (a DOCX paragraph by paragraph with "
        "python-docx), one regular expression per line for 一、 （一） 1. （1）: no nesting, "
        "no joining of broken lines, no page furniture, no run-in items. The cases run in "
        "rounds, each round every case once. *characters/s*: characters the reader got out "
        "of the file ÷ best time. *Memory*: tracemalloc's peak (Python allocations) for one "
        "read + parse, for `read()` alone and for `parse()` alone; "
        "what the parsed plan holds afterwards; the process's peak RSS during one more read "
        "+ parse (VmHWM reset first; Python, Django, the libraries and the data included).",
        "",
        "## Summary",
        "",
        *summary_table(runs, d["expected_tasks"]),
        "",
        "Items found by marker:",
        "",
        *styles_table(runs, counts),
        "",
    ]
    props = [r for r in runs if r["propose"].get("proposals")]
    if props:
        out += ["What `propose()` found (demo departments):", ""]
        for r in props:
            p = r["propose"]["proposals"]
            out.append(
                f"- {FORMAT_LABELS[r['format']]}: owners on {p['with_owners']:,} tasks "
                f"({p['with_department']:,} a known department), a deadline on "
                f"{p['with_deadline']:,}, {p['targets']:,} targets on {p['with_targets']:,}"
            )
        out.append("")
    out += ["## Targets", "", *targets(runs, opts), ""]
    found = problems(runs)
    out += ["## Problems found", "", *(found or ["None."]), ""]
    if report.get("profile_file"):
        out += [
            f"## Profile\n\n`{report['profile_file']}` (cProfile: read + parse of each "
            "file, read + parse + propose of the text). The top 15 functions of read + parse "
            "by cumulative time (cProfile's overhead makes them slower than the timings):",
            "",
        ]
        for fmt, top in report["profile_top"].items():
            out += [f"{FORMAT_LABELS[fmt]}:", "", "```", _trim_profile(top), "```", ""]
    out += report_footer(report)
    return "\n".join(out) + "\n"


# Main --------------------------------------------------------------------------------------


def _django(var_dir: Path) -> None:
    """Django with gongxin's settings and a scratch var dir: the developer's variables and
    var/ left alone (as `common.child_env` does for the other benchmarks' workers)."""
    for key in list(os.environ):
        if key.startswith(("GONGXIN_", "DATABASE_URL", "DJANGO_")):
            del os.environ[key]
    os.environ["GONGXIN_VAR_DIR"] = str(var_dir)
    os.environ["GONGXIN_DEBUG"] = "0"
    src = str(PROJECT / "src")
    if src not in sys.path:
        sys.path.insert(2, src)
    django_setup()


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name, dist in (
        ("python-docx", "python-docx"),
        ("markdown", "Markdown"),
        ("lxml", "lxml"),
        ("opencc", "opencc"),
    ):
        try:
            out[name] = version(dist)
        except PackageNotFoundError:
            out[name] = "–"
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description="gongxin plan splitting benchmark")
    parser.add_argument("--pages", type=int, default=DEFAULT_PAGES, help="(200)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_PAGES} pages")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="runs (5, best)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--profile", action="store_true",
        help="cProfile read + parse of each file (also when one takes 2 s or more)",
    )  # fmt: skip
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.quick:
        args.pages = QUICK_PAGES
    if args.pages < 1 or args.repeat < 1:
        parser.error("--pages and --repeat must be at least 1")
    started = datetime.now().astimezone()
    stamp = started.strftime("%Y%m%d-%H%M")
    base = result_base("plans", stamp, "-quick" if args.pages != DEFAULT_PAGES else "")
    DATA.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    options = {"pages": args.pages, "repeat": args.repeat, "seed": args.seed}
    try:
        _django(SCRATCH / "var")
        log(f"generating the {args.pages}-page document (seed {args.seed})")
        doc = datagen.build(args.pages, seed=args.seed)
        paths = datagen.write(doc, DATA)
        log("files: " + ", ".join(str(p.relative_to(PROJECT)) for p in paths.values()))
        source = source_digest(PLAN_SOURCES)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        measured = measure(paths, doc, args.repeat)
        after = source_digest(PLAN_SOURCES)
        digest = source if after == source else f"{source}->{after}"
        runs = []
        for fmt in FORMATS:
            runs.append({**measured[fmt], "load_before": load, "source": digest})
        profile_file = profile_top = None
        slow = [
            fmt
            for fmt in FORMATS
            if measured[fmt]["parse"]["best"] is None
            or measured[fmt]["parse"]["best"] >= TARGET_SECONDS
        ]
        if args.profile or slow:
            log(
                "profiling read + parse" + (f" ({', '.join(slow)} over the target)" if slow else "")
            )
            try:
                path, profile_top = profile(paths, base, args.pages)
                profile_file = str(path.relative_to(PROJECT))
            except Exception:
                log(f"the profile failed:\n{traceback.format_exc()}")
        env = environment([], _versions())
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)

    report = {
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
        "options": options,
        "environment": env,
        "targets": {"parse_seconds": TARGET_SECONDS, "pages": DEFAULT_PAGES},
        "document": {
            "pages": doc.pages,
            "body_chars": doc.body_chars,
            "txt_chars": len(doc.text),
            "txt_lines": doc.text.count("\n"),
            "expected_tasks": len(doc.items),
            "expected_styles": doc.counts(),
            "files": {fmt: str(p.relative_to(PROJECT)) for fmt, p in paths.items()},
        },
        "runs": runs,
        "profile_file": profile_file,
        "profile_top": profile_top,
    }
    base.with_suffix(".json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    base.with_suffix(".md").write_text(markdown(report), encoding="utf-8")
    print()
    print("\n".join(summary_table(runs, len(doc.items))))
    print()
    print("\n".join(targets(runs, options)))
    found = problems(runs)
    if found:
        print("\nProblems found:\n" + "\n".join(found))
    if profile_top:
        print(f"\nprofile: {profile_file}")
        for fmt, top in profile_top.items():
            print(f"\n{FORMAT_LABELS[fmt]}:\n{_trim_profile(top)}")
    print(f"\nwritten: {base.with_suffix('.json').relative_to(PROJECT)}, .md")
    return 0 if all(r["checks"].get("outline_same") for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
