"""Summaries and the markdown report of ``bench_listeners.py``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np

from bench_listeners_player import ListenerResult

SOURCES = ("tier1", "tier2", "miss")
DEFAULT_PRESET = "adaptive"  # the server plans it for every track in the background


def needs_plan(results: list[ListenerResult]) -> list[bool]:
    """Per listener (in press order): the first to ask for a track/preset nobody planned."""
    seen: set[tuple[int, str]] = set()
    flags = []
    for r in results:
        pair = (r.variant.track_id, r.variant.preset)
        flags.append(pair not in seen and r.variant.preset != DEFAULT_PRESET)
        seen.add(pair)
    return flags


def ttfa_stats(values: list[float]) -> dict:
    return {
        "count": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "max": max(values, default=None),
    }


def percentile(values: Iterable[float], q: float) -> float | None:
    data = list(values)
    return float(np.percentile(data, q)) if data else None


def summarise(results: list[ListenerResult]) -> dict:
    """TTFA, deadlines, stalls, latency by cache source and errors over all listeners."""
    ttfa = [r.ttfa_s for r in results if r.ttfa_s is not None]
    flags = needs_plan(results)
    by_plan: dict[bool, list[float]] = {True: [], False: []}
    for r, flag in zip(results, flags, strict=True):
        if r.ttfa_s is not None:
            by_plan[flag].append(r.ttfa_s)
    deadlines = sum(r.deadlines for r in results)
    missed = sum(r.missed for r in results)
    by_source: dict[str, list[float]] = {}
    for r in results:
        for f in r.fetches:
            by_source.setdefault(f.source, []).append(f.latency_s)
    errors = Counter(e for r in results for e in r.errors)
    return {
        "listeners": len(results),
        "distinct_variants": len(
            {(r.variant.track_id, r.variant.preset, r.variant.intensity) for r in results}
        )
        == len(results),
        "started": len(ttfa),
        "ttfa_s": ttfa_stats(ttfa),
        "ttfa_plan_needed_s": ttfa_stats(by_plan[True]),
        "ttfa_other_s": ttfa_stats(by_plan[False]),
        "deadlines": deadlines,
        "missed": missed,
        "missed_pct": 100.0 * missed / deadlines if deadlines else 0.0,
        "stall_s": sum(r.stall_s for r in results),
        "stalled_listeners": sum(r.missed > 0 for r in results),
        "abandoned": sum(r.abandoned for r in results),
        "chunks_received": sum(len(r.fetches) for r in results),
        "positions_sent": sum(r.positions_sent for r in results),
        "latency_s": {
            source: {"count": len(v), "p50": percentile(v, 50), "p95": percentile(v, 95)}
            for source, v in sorted(by_source.items())
        },
        "errors": dict(errors.most_common()),
        "error_count": sum(errors.values()),
    }


def _s(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value * 1000:.0f}"


MAIN_COLUMNS = (
    "listeners",
    "TTFA p50 s",
    "TTFA p95 s",
    "TTFA max s",
    "deadlines",
    "missed",
    "missed %",
    "stall s",
    "request errors",
    "server CPU cores",
    "server peak RSS MB (processes)",
    "renders",
    "chunks served",
    "renders/chunk",
    "bench CPU cores",
    "other processes' CPU cores",
    "load avg at start",
)


def main_cells(r: dict) -> list[str]:
    t, srv = r["ttfa_s"], r["server"]
    renders = srv["renders"]
    per_chunk = renders / r["chunks_received"] if renders and r["chunks_received"] else None
    return [
        str(r["listeners"]),
        _s(t["p50"]),
        _s(t["p95"]),
        _s(t["max"]),
        str(r["deadlines"]),
        str(r["missed"]),
        f"{r['missed_pct']:.1f}",
        f"{r['stall_s']:.1f}",
        str(r["error_count"]),
        f"{srv['cpu_cores']:.2f}",
        f"{srv['peak_rss_bytes'] / 1e6:.0f} ({srv['processes']:.0f})",
        "–" if renders is None else str(int(renders)),
        str(r["chunks_received"]),
        _s(per_chunk),
        f"{r['bench_cpu_cores']:.2f}",
        f"{r['other_cpu_cores']:.2f}",
        f"{r['loadavg_start'][0]:.2f}",
    ]


def main_table(rows: list[dict]) -> list[str]:
    lines = ["| " + " | ".join(MAIN_COLUMNS) + " |", "|" + "---:|" * len(MAIN_COLUMNS)]
    return lines + ["| " + " | ".join(main_cells(r)) + " |" for r in rows]


def ttfa_table(rows: list[dict]) -> list[str]:
    lines = [
        "| listeners | plan needed: n | p50 s | p95 s | max s | others: n | p50 s | p95 s "
        "| max s |",
        "|" + "---:|" * 9,
    ]
    for r in rows:
        cells = []
        for key in ("ttfa_plan_needed_s", "ttfa_other_s"):
            t = r[key]
            cells += [str(t["count"]), _s(t["p50"]), _s(t["p95"]), _s(t["max"])]
        lines.append(f"| {r['listeners']} | " + " | ".join(cells) + " |")
    return lines


def latency_table(rows: list[dict]) -> list[str]:
    sources = list(SOURCES) + sorted({s for r in rows for s in r["latency_s"]} - set(SOURCES))
    header = "| listeners | " + " | ".join(f"{s} n | {s} p50 ms | {s} p95 ms" for s in sources)
    lines = [header + " |", "|" + "---:|" * (1 + 3 * len(sources))]
    for r in rows:
        cells = []
        for s in sources:
            stats = r["latency_s"].get(s, {"count": 0, "p50": None, "p95": None})
            cells += [str(stats["count"]), _ms(stats["p50"]), _ms(stats["p95"])]
        lines.append(f"| {r['listeners']} | " + " | ".join(cells) + " |")
    return lines


def error_lines(rows: list[dict]) -> list[str]:
    lines = []
    for r in rows:
        for message, count in r["errors"].items():
            lines.append(f"- {r['listeners']} listeners: {count} × `{message}`")
    return lines or ["- none"]


def arrivals(meta: dict) -> str:
    """How listeners pressed play: a flash crowd, or one every few seconds."""
    every = meta.get("arrival_every_s")
    if every is None:
        return (f"{meta['duration_s']:.0f} s of playback per listener, presses ramped over "
                f"{meta['ramp_s']:.0f} s (a flash crowd)")  # fmt: skip
    return (f"steady arrivals: one press every {every:g} s, each listener playing until all "
            f"have played together for {meta['duration_s']:.0f} s")  # fmt: skip


def markdown(meta: dict, rows: list[dict]) -> str:
    """The whole report: how it was run, then one row per listener count."""
    out = [
        f"# Real-time listeners ({meta['label']})",
        "",
        f"- date: {meta['date']}",
        f"- machine: {meta['machine']}",
        f"- command: `{meta['command']}`",
        f"- server: checkout `{meta['checkout']}` at `{meta['commit']}`",
        f"- load average (1/5/15 min) at start: {meta['loadavg_start']}",
        f"- {arrivals(meta)}, position reports every {meta['position_every_s']:.0f} s, "
        f"{meta['chunk_s']:.0f} s chunks (WAV); every listener on a distinct track/preset/"
        "intensity variant",
        (
            "- **one fresh server per listener count, cold cache; play starts once its "
            "background scan has planned the library** (fresh data directory with the demo "
            "library): no listener waits for a plan"
            if meta.get("plans_ready")
            else "- **one fresh server per listener count: cold cache and no plans yet** (fresh "
            "data directory with the demo library; play starts once the index phase is over)"
        ),
        "- TTFA = press → chunk 0 fully received; a missed deadline = chunk k+1 not fully "
        "received when chunk k ends playing; percentiles interpolate linearly",
        "- server CPU = CPU seconds of the server process tree (/proc utime+stime) / wall "
        "seconds of the run; peak RSS sampled every 0.5 s over the tree; renders from "
        "/metrics (`masterstream_cache_renders_total`, delta over the run), including "
        "look-ahead and whole-track warming renders of chunks no listener asked for",
        "- the bench (listeners) shares the machine with the server, and so may other work: "
        "the bench's CPU and everything else's (/proc/stat busy time minus server and bench) "
        "are shown per run",
        "",
        *main_table(rows),
        "",
        "## Time to first audio by plan state",
        "",
        f"'plan needed': the first listener of a track/preset other than `{DEFAULT_PRESET}` "
        "(which the server plans for every track first, in the background after start-up; "
        "a server that plans every preset (`plan_presets` unset, since the fourth session) "
        "then plans the others, so some of these plans are ready or in progress when asked "
        "for); 'others': every other listener (its plan "
        "may be computed, in progress or queued).",
        "",
        *ttfa_table(rows),
        "",
        "## Chunk latency by cache source (X-Cache-Source)",
        "",
        *latency_table(rows),
        "",
        "## Request errors",
        "",
        *error_lines(rows),
    ]
    if meta.get("notes"):
        out += ["", "## Notes", "", *[f"- {n}" for n in meta["notes"]]]
    return "\n".join(out) + "\n"
