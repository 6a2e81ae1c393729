"""Hit ratios of the real two-tier cache and of single-level policies on replayed traces.

For each trace (the three families of ``trace_families.py`` at two loads for each seed,
plus any ``--trace`` file recorded by ``masterstream serve --record-trace``) and each
total capacity:

- the server's cache through the real ``ChunkCache``, ``MemoryTier`` and ``DiskTier``
  (``trace_replay.ServerTarget``): *before* (inclusive tiers, tier1 LRU 12 MB, tier2
  S3-FIFO) and *after* (write-back tiers, ``exclusive_cache.WriteBackChunkCache``, with
  tier2 ``adaptive``);
- one level, one policy, the same total bytes: LRU, S3-FIFO, W-TinyLFU, ARC, adaptive,
  and Belady's rule (offline; demand mode only).

The server's tier2 is a real ``DiskTier`` (in /dev/shm when there is one) for every
demand replay and for warm replays at ``--warm-disk-mb`` sizes; other warm replays use a
``MemoryTier`` as tier2 (the same ledger and policy code without file I/O, which the
warmer's thousands of writes make slow).

Modes: *demand* replays the requests alone (an HTTP replay without a player's position
reports, so the warmer idles: the case of issue 8); *warm* adds the warmer between
requests (``trace_replay.WarmerModel``: look-ahead into tier1, then the track's fill
into tier2), and every single-level policy gets the same warmer inserts.

Then, at 252 MB: the change taken apart (which tier layout and tier2 policy does what)
and the warmer's fill bounded, with tier2 as a ``MemoryTier`` (same ledger and policy
code, no file I/O; the *before*/*after* rows show it agrees with the disk tier).

Run:  .venv/bin/python bench/cache_policy_replay.py [--seeds 1 2 3] [--sizes-mb 64 252 1000]
      [--trace FILE ...] [--no-extras]
Writes bench/results/cache_policy_replay.{md,json}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cache_hit_ratio import replay_belady
from exclusive_cache import ExclusiveChunkCache, WriteBackChunkCache
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
BEFORE = ServerConfig("server before")
AFTER = ServerConfig("server after", WriteBackChunkCache, tier2_policy="adaptive")
POLICY_NAMES = ("lru", "s3fifo", "wtinylfu", "arc", "adaptive")
DECOMPOSITION = (
    BEFORE,
    ServerConfig("inclusive, tier2 lru", tier2_policy="lru"),
    ServerConfig("inclusive, tier2 adaptive", tier2_policy="adaptive"),
    ServerConfig("write-back, tier2 lru", WriteBackChunkCache, tier2_policy="lru"),
    ServerConfig("write-back, tier2 s3fifo", WriteBackChunkCache, tier2_policy="s3fifo"),
    ServerConfig("exclusive, tier2 adaptive", ExclusiveChunkCache, tier2_policy="adaptive"),
    AFTER,
)
FILLS = (None, 4, 0)  # the whole track (today), 4 chunks past the look-ahead, none


def hit_ratio(counts) -> float:
    return (counts["tier1"] + counts["tier2"]) / max(1, counts["tier1"] + counts["tier2"]
                                                     + counts["miss"])  # fmt: skip


async def run_cell(
    records: list[TraceRecord], geometry: TraceGeometry, size_bytes: int, *,
    configs: tuple[ServerConfig, ...], policies: tuple[str, ...], warmer: WarmerModel | None,
    disk: bool = True, belady: bool = False,
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


def load_traces(seeds: list[int], files: list[Path], workdir: Path) -> list[dict]:
    """Generated traces are written in the server's format and read back, like a recording."""
    traces = []
    for seed in seeds:
        for spec in specs(seed):
            path = write_trace(generate(spec), workdir / f"{spec.name}.jsonl")
            traces.append({"name": spec.name, "family": spec.family, "seed": seed,
                           "listeners": spec.listeners, "records": read_trace(path)})  # fmt: skip
    for path in files:
        traces.append({"name": path.stem, "family": "recorded", "seed": None, "listeners": None,
                       "records": read_trace(path)})  # fmt: skip
    for trace in traces:
        records = trace["records"]
        sizes = {r.key: r.size_bytes for r in records}
        trace["stats"] = {
            "requests": len(records),
            "distinct_chunks": len(sizes),
            "distinct_gb": round(sum(sizes.values()) / 1e9, 2),
            "infinite_cache_hit_ratio": round(1 - len(sizes) / max(1, len(records)), 4),
            "duration_h": round((records[-1].t_s - records[0].t_s) / 3600, 2) if records else 0,
        }
    return traces


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def run(args: argparse.Namespace) -> dict[str, object]:
    rows, extras = [], []
    with tempfile.TemporaryDirectory() as workdir:
        traces = load_traces(args.seeds, args.trace, Path(workdir))
        for trace in traces:
            records, geometry = trace["records"], TraceGeometry(trace["records"])
            meta = {k: trace[k] for k in ("name", "family", "seed", "listeners")}
            for size_mb in args.sizes_mb:
                for mode in ("demand", "warm"):
                    started = time.perf_counter()
                    warmer = WarmerModel(geometry) if mode == "warm" else None
                    disk = mode == "demand" or size_mb in args.warm_disk_mb
                    result = await run_cell(
                        records, geometry, size_mb * MB, configs=(BEFORE, AFTER),
                        policies=POLICY_NAMES, warmer=warmer, belady=mode == "demand", disk=disk,
                    )  # fmt: skip
                    rows.append(meta | {"size_mb": size_mb, "mode": mode, "results": result,
                                        "tier2": "disk" if disk else "memory"})  # fmt: skip
                    log(f"{trace['name']} {size_mb} MB {mode}: "
                        f"{time.perf_counter() - started:.1f} s")  # fmt: skip
            if args.no_extras:
                continue
            for mode, fill in [("demand", None)] + [("warm", fill) for fill in FILLS]:
                warmer = None if mode == "demand" else WarmerModel(geometry, fill_chunks=fill)
                result = await run_cell(
                    records, geometry, 252 * MB, configs=DECOMPOSITION,
                    policies=("lru", "s3fifo", "adaptive"), warmer=warmer, disk=False,
                )  # fmt: skip
                extras.append(meta | {"size_mb": 252, "mode": mode, "fill": fill,
                                      "results": result})  # fmt: skip
            log(f"{trace['name']} decomposition done")
    return {
        "traces": [{k: v for k, v in t.items() if k != "records"} for t in traces],
        "sizes_mb": args.sizes_mb,
        "warm_disk_mb": args.warm_disk_mb,
        "seeds": args.seeds,
        "rows": rows,
        "extras": extras,
        "render_s": RENDER_S,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[64, 252, 1000])
    parser.add_argument("--trace", type=Path, nargs="*", default=[], help="recorded traces")
    parser.add_argument("--no-extras", action="store_true", help="skip the 252 MB extras")
    parser.add_argument(
        "--warm-disk-mb", type=int, nargs="*", default=[252],
        help="sizes whose warm replays use DiskTier as tier2 (others: MemoryTier, no file I/O)",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, default=RESULTS / "cache_policy_replay")
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    started = time.perf_counter()
    result = asyncio.run(run(args))
    result["command"] = "python bench/cache_policy_replay.py " + " ".join(sys.argv[1:])
    result["elapsed_s"] = round(time.perf_counter() - started, 1)
    result["commit"] = commit
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n")
    write_report(result, args.out.with_suffix(".md"))
    log(f"wrote {args.out}.md/.json in {result['elapsed_s']} s")


if __name__ == "__main__":
    main()
