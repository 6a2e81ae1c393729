"""Markdown report of ``cache_policy_replay.py`` results (tables and the goal check)."""

from __future__ import annotations

import statistics
from pathlib import Path

COLUMNS = ("server", "lru", "s3fifo", "wtinylfu", "arc", "adaptive", "belady")
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
    for column in columns_of(rows, mode):
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


def columns_of(rows: list[dict], mode: str) -> list[str]:
    """The server first, candidates next, then the single-level policies."""
    names = {c for r in rows if r["mode"] == mode for c in r["results"]}
    extra = sorted(n for n in names if n.startswith("server,"))
    return [c for c in COLUMNS[:1] if c in names] + extra + [c for c in COLUMNS[1:] if c in names]


def cells(rows: list[dict], mode: str) -> list[str]:
    columns = columns_of(rows, mode)
    lines = [
        "| trace | MB | " + " | ".join(columns) + " | server vs LRU | renders/request |",
        "|---|---:|" + "---:|" * len(columns) + "---:|---:|",
    ]
    for r in rows:
        if r["mode"] != mode:
            continue
        res = r["results"]
        values = []
        for c in columns:
            mark = "**" if c == "server" and res[c]["hit"] < res["lru"]["hit"] - 5e-5 else ""
            values.append(f"{mark}{pct(res[c]['hit'])}{mark}")
        delta = 100 * (res["server"]["hit"] - res["lru"]["hit"])
        lines.append(
            f"| {r['name']} | {r['size_mb']} | " + " | ".join(values) + f" | {delta:+.2f} "
            f"| {res['server']['renders']:.2f} |"
        )
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
    rows = result["rows"]
    tier2 = "the real `DiskTier`" if result["disk"] else "a `MemoryTier`"
    out = [
        "# Cache policies replayed on listening traces",
        "",
        f"Command: `nice -n 19 .venv/bin/{result['command'].strip()}` ({result['elapsed_s']:.0f} s,"
        f" commit {result.get('commit', '?')}, load average "
        f"{result.get('load_average_before', ['?'])[0]} before, "
        f"{result.get('load_average', ['?'])[0]} after). "
        f"Seeds {result['seeds']}; seed {DEV_SEED} was used while choosing the policies, the "
        "others are held out. Hit ratio = requests served from cache / requests, in %.",
        "",
        "*server*: the real `ChunkCache` with exclusive tiers (a render goes to tier1, tier1's "
        "victims are written down to tier2, a tier2 hit moves up), `MemoryTier` 12 MB + tier2 "
        f"as {tier2} for the rest of the capacity shown, each tier with the server's default "
        "policy; *server, tier2 X*: the same with tier2 policy X. The other columns are one "
        "level with one policy at the same total bytes (every entry charged the same "
        "per-entry overhead). *demand*: requests only (the warmer idles, as in an HTTP "
        "replay). *warm*: the warmer emulated between requests (look-ahead of 2 chunks into "
        f"tier1, then the next 4 chunks into tier2, as `cache/warmer.py`; {result['render_s']} "
        "s a render, only in the time before the next request); single-level policies get "
        "the same inserts. Belady is offline and demand-only. A `MemoryTier` tier2 keeps its "
        "accounting in the same `TierLedger` with the same policy code as `DiskTier`: file "
        "I/O changes how long a replay takes, not which chunk is kept.",
        "",
        "## Traces",
        "",
        *traces_table(result["traces"]),
    ]
    for mode in ("demand", "warm"):
        out += ["", f"## Summary, {mode}", "", *summary(rows, mode)]
    for mode in ("demand", "warm"):
        out += ["", f"## Every trace and capacity, {mode}", "",
                "Bold: *server* below LRU.", "", *cells(rows, mode)]  # fmt: skip
    path.write_text("\n".join(out) + "\n")
