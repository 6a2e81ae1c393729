"""Hit ratios of the real two-tier cache and of single-level policies on replayed traces.

For each trace (the three families of ``trace_families.py`` at two loads for each seed,
plus any ``--trace`` file recorded by ``masterstream serve --record-trace``) and each
total capacity:

- *server*: the real ``ChunkCache`` (exclusive tiers) with ``MemoryTier`` 12 MB and the
  rest in tier2, each tier with the server's default policy (``trace_replay.ServerTarget``);
  ``--candidate POLICY`` adds the server with that tier2 policy beside it;
- one level, one policy, the same total bytes: LRU, S3-FIFO, W-TinyLFU, ARC, adaptive,
  and Belady's rule (offline; demand mode only).

tier2 is a ``MemoryTier`` unless ``--disk`` (the real ``DiskTier`` in /dev/shm): both tiers
keep their accounting in the same ``TierLedger`` and policy code, so file I/O changes
how long a replay takes, not which chunk is kept.

Modes: *demand* replays the requests alone (an HTTP replay without a player's position
reports, so the warmer idles: the case of issue 8); *warm* adds the warmer between
requests (``trace_replay.WarmerModel``: look-ahead into tier1, then the next 4 chunks
into tier2, as ``cache/warmer.py``), and every single-level policy gets the same inserts.

Traces run in ``--jobs`` processes (one trace per task).

Run:  .venv/bin/python bench/cache_policy_replay.py [--seeds 1 2 3] [--sizes-mb 64 252 1000]
      [--trace FILE ...] [--candidate POLICY ...] [--disk] [--jobs 2]
Writes bench/results/cache_policy_replay.{md,json}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from cache_hit_ratio import replay_belady
from masterstream.cache.memory import ENTRY_OVERHEAD_BYTES
from masterstream.cache.trace import TraceRecord, read_trace
from replay_report import write_report
from trace_families import generate, specs, write_trace
from trace_replay import (
    RENDER_S,
    PolicyTarget,
    ServerConfig,
    ServerTarget,
    TraceGeometry,
    WarmerModel,
    replay,
)

RESULTS = Path(__file__).resolve().parent / "results"
MB = 1_000_000
SERVER = ServerConfig("server")
POLICY_NAMES = ("lru", "s3fifo", "wtinylfu", "arc", "adaptive")


def hit_ratio(counts) -> float:
    return (counts["tier1"] + counts["tier2"]) / max(1, counts["tier1"] + counts["tier2"]
                                                     + counts["miss"])  # fmt: skip


async def run_cell(
    records: list[TraceRecord], geometry: TraceGeometry, size_bytes: int, *,
    configs: tuple[ServerConfig, ...], policies: tuple[str, ...], warmer: WarmerModel | None,
    disk: bool = False, belady: bool = False,
) -> dict[str, dict[str, float]]:  # fmt: skip
    """Hit ratio and renders per request of every configuration and policy."""
    out: dict[str, dict[str, float]] = {}
    n = len(records)
    for config in configs:
        target = ServerTarget(geometry, config, size_bytes, disk=disk)
        counts = await replay(records, geometry, target, warmer)
        out[config.name] = {"hit": hit_ratio(counts), "renders": counts["renders"] / n}
    for name in policies:
        counts = await replay(records, geometry, PolicyTarget(geometry, size_bytes, name), warmer)
        out[name] = {"hit": hit_ratio(counts), "renders": counts["renders"] / n}
    if belady:
        pairs = zip(geometry.keys, records, strict=True)
        keyed = [(key, r.size_bytes + ENTRY_OVERHEAD_BYTES) for key, r in pairs]
        out["belady"] = {"hit": replay_belady(keyed, size_bytes) / n, "renders": float("nan")}
    return out


def trace_sources(seeds: list[int], files: list[Path]) -> list[dict]:
    """What to replay: generated traces (by seed and spec) and recorded files."""
    sources = [{"name": spec.name, "family": spec.family, "seed": seed,
                "listeners": spec.listeners, "spec": spec}
               for seed in seeds for spec in specs(seed)]  # fmt: skip
    sources += [{"name": path.stem, "family": "recorded", "seed": None, "listeners": None,
                 "path": path} for path in files]  # fmt: skip
    return sources


def load_records(source: dict, workdir: Path) -> list[TraceRecord]:
    """Generated traces are written in the server's format and read back, like a recording."""
    if "path" in source:
        return read_trace(source["path"])
    return read_trace(write_trace(generate(source["spec"]), workdir / f"{source['name']}.jsonl"))


def trace_stats(records: list[TraceRecord]) -> dict[str, float]:
    sizes = {r.key: r.size_bytes for r in records}
    return {
        "requests": len(records),
        "distinct_chunks": len(sizes),
        "distinct_gb": round(sum(sizes.values()) / 1e9, 2),
        "infinite_cache_hit_ratio": round(1 - len(sizes) / max(1, len(records)), 4),
        "duration_h": round((records[-1].t_s - records[0].t_s) / 3600, 2) if records else 0,
    }


def replay_trace(source: dict, args: argparse.Namespace) -> tuple[dict, list[dict]]:
    """Every capacity and mode of one trace (runs in a worker process)."""
    configs = (SERVER, *(ServerConfig(f"server, tier2 {p}", tier2_policy=p)
                         for p in args.candidate))  # fmt: skip
    meta = {k: source[k] for k in ("name", "family", "seed", "listeners")}
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        records = load_records(source, Path(workdir))
    geometry = TraceGeometry(records)
    for size_mb in args.sizes_mb:
        for mode in ("demand", "warm"):
            started = time.perf_counter()
            warmer = WarmerModel(geometry) if mode == "warm" else None
            result = asyncio.run(run_cell(
                records, geometry, size_mb * MB, configs=configs, policies=POLICY_NAMES,
                warmer=warmer, belady=mode == "demand", disk=args.disk,
            ))  # fmt: skip
            rows.append(meta | {"size_mb": size_mb, "mode": mode, "results": result,
                                "tier2": "disk" if args.disk else "memory"})  # fmt: skip
            log(f"{source['name']} {size_mb} MB {mode}: {time.perf_counter() - started:.1f} s")
    return meta | {"stats": trace_stats(records)}, rows


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> dict[str, object]:
    sources = trace_sources(args.seeds, args.trace)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        done = list(pool.map(replay_trace, sources, [args] * len(sources)))
    return {
        "traces": [trace for trace, _ in done],
        "sizes_mb": args.sizes_mb,
        "disk": args.disk,
        "seeds": args.seeds,
        "rows": [row for _, rows in done for row in rows],
        "render_s": RENDER_S,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[64, 252, 1000])
    parser.add_argument("--trace", type=Path, nargs="*", default=[], help="recorded traces")
    parser.add_argument("--candidate", nargs="*", default=[], help="tier2 policies to compare")
    parser.add_argument("--disk", action="store_true", help="tier2 as DiskTier (slower)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--out", type=Path, default=RESULTS / "cache_policy_replay")
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    load_before = [round(x, 2) for x in os.getloadavg()]
    started = time.perf_counter()
    result = run(args)
    result["load_average_before"] = load_before
    result["command"] = "python bench/cache_policy_replay.py " + " ".join(sys.argv[1:])
    result["elapsed_s"] = round(time.perf_counter() - started, 1)
    result["commit"] = commit
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n")
    write_report(result, args.out.with_suffix(".md"))
    log(f"wrote {args.out}.md/.json in {result['elapsed_s']} s")


if __name__ == "__main__":
    main()
