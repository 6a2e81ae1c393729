"""Markdown report of ``cache_policy_replay.py`` results (tables and the goal check)."""

from __future__ import annotations

import statistics
from pathlib import Path

COLUMNS = ("server before", "server after", "lru", "s3fifo", "wtinylfu", "arc", "adaptive",
           "belady")  # fmt: skip
DEV_SEED = 1  # the seed the design was developed on; the others are held out


def pct(x: float) -> str:
    return f"{100 * x:.1f}"


def held_out(row: dict) -> bool:
    return row["seed"] != DEV_SEED


def summary(rows: list[dict], mode: str) -> list[str]:
    lines = [
        "| cache | traces | mean hit ratio | cells below LRU | worst vs LRU (points) | "
        "mean share of Belady |",
        "|---|---|---:|---:|---:|---:|",
    ]
    groups = [("held-out seeds", [r for r in rows if held_out(r)]), ("all seeds", rows)]
    for column in COLUMNS:
        for label, group in groups:
            cells = [r["results"] for r in group if r["mode"] == mode and column in r["results"]]
            if not cells:
                continue
            hits = [c[column]["hit"] for c in cells]
            deltas = [c[column]["hit"] - c["lru"]["hit"] for c in cells]
            below = sum(1 for d in deltas if d < -0.00005)
            shares = [c[column]["hit"] / c["belady"]["hit"] for c in cells
                      if "belady" in c and c["belady"]["hit"] > 0]  # fmt: skip
            share = f"{100 * statistics.mean(shares):.1f} %" if shares else "n/a"
            lines.append(
                f"| {column} | {label} | {pct(statistics.mean(hits))} % | {below} of {len(cells)}"
                f" | {100 * min(deltas):+.1f} | {share} |"
            )
    return lines


def cells(rows: list[dict], mode: str) -> list[str]:
    columns = [c for c in COLUMNS if any(c in r["results"] for r in rows if r["mode"] == mode)]
    lines = [
        "| trace | MB | " + " | ".join(columns) + " | renders/request before → after | tier2 |",
        "|---|---:|" + "---:|" * len(columns) + "---|---|",
    ]
    for r in rows:
        if r["mode"] != mode:
            continue
        res = r["results"]
        values = []
        for c in columns:
            mark = "**" if c == "server after" and res[c]["hit"] < res["lru"]["hit"] - 5e-5 else ""
            values.append(f"{mark}{pct(res[c]['hit'])}{mark}")
        renders = f"{res['server before']['renders']:.2f} → {res['server after']['renders']:.2f}"
        lines.append(
            f"| {r['name']} | {r['size_mb']} | " + " | ".join(values) + f" | {renders} "
            f"| {r.get('tier2', 'disk')} |"
        )
    return lines


def by_trace(extras: list[dict], mode: str, fill, columns: list[str]) -> list[str]:
    """Mean over seeds per trace shape (family and load), one row per configuration."""
    chosen = [e for e in extras if e["mode"] == mode and e["fill"] == fill]
    shapes = sorted({(e["family"], e["listeners"]) for e in chosen})
    head = [f"{family} {listeners}L" for family, listeners in shapes]
    lines = ["| cache | " + " | ".join(head) + " | mean |", "|---|" + "---:|" * (len(head) + 1)]
    for column in columns:
        values = []
        for shape in shapes:
            group = [e["results"][column]["hit"] for e in chosen
                     if (e["family"], e["listeners"]) == shape]  # fmt: skip
            values.append(statistics.mean(group))
        cells_ = " | ".join(pct(v) for v in values)
        lines.append(f"| {column} | {cells_} | {pct(statistics.mean(values))} |")
    return lines


def traces_table(traces: list[dict]) -> list[str]:
    lines = [
        "| trace | requests | distinct chunks | distinct GB | infinite-cache hit ratio | "
        "duration h |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for t in traces:
        s = t["stats"]
        lines.append(
            f"| {t['name']} | {s['requests']:,} | {s['distinct_chunks']:,} | {s['distinct_gb']} "
            f"| {pct(s['infinite_cache_hit_ratio'])} % | {s['duration_h']} |"
        )
    return lines


def write_report(result: dict, path: Path) -> None:
    rows, extras = result["rows"], result["extras"]
    out = [
        "# Cache policies replayed on listening traces",
        "",
        f"Command: `.venv/bin/{result['command'].strip()}` ({result['elapsed_s']:.0f} s, "
        f"commit {result.get('commit', '?')}). "
        f"Seeds {result['seeds']}; seed {DEV_SEED} was used while designing the change, the "
        "others are held out. Hit ratio = requests served from cache / requests, in %.",
        "",
        "*server before*: the real `ChunkCache` (inclusive tiers: every render is written to "
        "both, tier2 hits are copied up), `MemoryTier` 12 MB LRU + `DiskTier` S3-FIFO, in total "
        "the capacity shown. *server after*: write-back tiers (`bench/exclusive_cache.py`: a "
        "render goes to tier1 only and down to tier2 when tier1 evicts it; the manager change "
        "proposed for `cache/manager.py`) with tier2 `adaptive`. The other columns are one "
        "level with one policy at the same total bytes. *demand*: requests only (the warmer "
        "idles, as in an HTTP replay). *warm*: the warmer emulated between requests (look-ahead "
        f"of 2 chunks into tier1, then the rest of the track into tier2, {result['render_s']} s "
        "a render, only in the time before the next request); single-level policies get the "
        "same inserts. Belady is offline and demand-only. The server's tier2 is the real "
        "`DiskTier` in every demand replay and in warm replays at "
        f"{result['warm_disk_mb']} MB; other warm replays use a `MemoryTier` as tier2 (same "
        "ledger and policy code, no file I/O). The design was tried on seed 1 only.",
        "",
        "## Traces",
        "",
        *traces_table(result["traces"]),
    ]
    for mode in ("demand", "warm"):
        out += ["", f"## Summary, {mode}", "", *summary(rows, mode)]
    for mode in ("demand", "warm"):
        out += ["", f"## Every trace and capacity, {mode}", "",
                "Bold: *server after* below LRU.", "", *cells(rows, mode)]  # fmt: skip
    if extras:
        names = [c for c in extras[0]["results"]]
        out += ["", "## The change taken apart (252 MB, tier2 as MemoryTier, mean over seeds)"]
        for mode in ("demand", "warm"):
            out += ["", f"{mode}:", "", *by_trace(extras, mode, None, names)]
        out += ["", "## The warmer's fill (252 MB, warm, mean over seeds)"]
        for fill in (None, 4, 0):
            label = {None: "whole track (today)", 4: "4 chunks past the look-ahead", 0: "none"}
            out += ["", f"fill: {label[fill]}", ""]
            out += by_trace(extras, "warm", fill, ["server before", "server after", "lru"])
    path.write_text("\n".join(out) + "\n")
