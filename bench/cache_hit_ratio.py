"""Hit ratio of the eviction policies on synthetic playback traces, at equal byte budgets.

Replays each trace through masterstream's own byte accounting (``TierLedger``, the code
both tiers use) with every policy, through ``cachetools.LRUCache`` (byte-weighted with
``getsizeof``) and through Belady's rule (evict the entry whose next use is farthest in
the future, and bypass an entry used later than everything it would displace) computed
offline on the same trace. With variable sizes Belady's rule is a near-optimal
reference, not a proven optimum. Every cache pays the same per-entry overhead.

Run:  .venv/bin/python bench/cache_hit_ratio.py [--seeds 1 2 3] [--quick]
Writes bench/results/cache_hit_ratio.{md,json,png}.
"""

from __future__ import annotations

import argparse
import heapq
import json
import statistics
import sys
import time
from pathlib import Path

import cachetools

from cache_trace import Request, TraceParams, generate, generate_with_catalogue
from cache_two_tier_sim import MODES, simulate
from masterstream.cache import ChunkKey
from masterstream.cache.ledger import TierLedger
from masterstream.cache.memory import ENTRY_OVERHEAD_BYTES
from masterstream.cache.policies import POLICIES

RESULTS = Path(__file__).resolve().parent / "results"
MB = 1_000_000
SIZES_MB = (12, 60, 240, 1000, 4000, 16000)
TRACE = {"tracks": 500, "listeners": 60, "tracks_per_listener": 30, "session_span_s": 7200.0}
PROFILES = {  # trace profiles for the two-tier replay with the warmer
    "server (60 listeners)": TRACE,
    "household (3 listeners)": {
        "tracks": 500, "listeners": 3, "tracks_per_listener": 150, "session_span_s": 600.0,
    },
}  # fmt: skip
TIER_SIZES = (12_000_000, 240_000_000)  # the defaults
COMBOS = (("lru", "lru"), ("lru", "s3fifo"), ("s3fifo", "lru"), ("s3fifo", "s3fifo"))


def keyed(trace: list[Request]) -> list[tuple[ChunkKey, int]]:
    return [
        (
            ChunkKey(
                r.track_id, f"s{r.track_id}", "1", r.preset, r.intensity, r.chunk_index, r.fmt
            ),
            r.size_bytes + ENTRY_OVERHEAD_BYTES,
        )
        for r in trace
    ]


def replay_ledger(requests: list[tuple[ChunkKey, int]], capacity: int, policy: str) -> int:
    ledger = TierLedger("sim", capacity, policy)
    hits = 0
    for key, size in requests:
        if key in ledger.sizes:
            ledger.hit(key)
            hits += 1
        elif ledger.fits(size):
            ledger.make_room(size)
            ledger.add(key, size)
    return hits


def replay_cachetools(requests: list[tuple[ChunkKey, int]], capacity: int) -> int:
    cache: cachetools.LRUCache = cachetools.LRUCache(maxsize=capacity, getsizeof=lambda v: v)
    hits = 0
    for key, size in requests:
        if cache.get(key) is not None:
            hits += 1
        elif size <= capacity:
            cache[key] = size
    return hits


def replay_belady(requests: list[tuple[ChunkKey, int]], capacity: int) -> int:
    never = len(requests)
    next_use = [never] * len(requests)
    seen: dict[ChunkKey, int] = {}
    for i in range(len(requests) - 1, -1, -1):
        key = requests[i][0]
        next_use[i] = seen.get(key, never)
        seen[key] = i
    stored: dict[ChunkKey, tuple[int, int]] = {}  # key -> (next use, size)
    heap: list[tuple[int, int, ChunkKey]] = []  # (-next use, tiebreak, key), lazy
    used = hits = 0
    for i, (key, size) in enumerate(requests):
        nxt = next_use[i]
        if key in stored:
            hits += 1
            stored[key] = (nxt, size)
            heapq.heappush(heap, (-nxt, i, key))
            continue
        if nxt == never or size > capacity:
            continue
        evicted: list[tuple[int, int, ChunkKey]] = []
        while used + size > capacity:
            item = heapq.heappop(heap)
            far, _, victim = item
            if stored.get(victim, (None,))[0] != -far:
                continue  # stale heap entry
            if -far <= nxt:  # everything left is needed sooner than the newcomer: bypass
                heapq.heappush(heap, item)
                break
            evicted.append(item)
            used -= stored.pop(victim)[1]
        if used + size > capacity:
            for far, tie, victim in evicted:  # undo: the newcomer is bypassed
                stored[victim] = (-far, requests[tie][1] if tie < len(requests) else 0)
                used += stored[victim][1]
                heapq.heappush(heap, (far, tie, victim))
            continue
        stored[key] = (nxt, size)
        used += size
        heapq.heappush(heap, (-nxt, i, key))
    return hits


def run(seeds: list[int], sizes_mb: tuple[int, ...]) -> dict[str, object]:
    policies = [*sorted(POLICIES), "cachetools-lru", "belady"]
    ratios: dict[str, dict[int, list[float]]] = {p: {s: [] for s in sizes_mb} for p in policies}
    trace_stats = []
    for seed in seeds:
        params = TraceParams(seed=seed, **TRACE)
        requests = keyed(generate(params))
        unique = {key: size for key, size in requests}
        trace_stats.append(
            {
                "seed": seed,
                "requests": len(requests),
                "unique_chunks": len(unique),
                "unique_gb": round(sum(unique.values()) / 1e9, 2),
                "infinite_cache_hit_ratio": round(1 - len(unique) / len(requests), 4),
            }
        )
        for size_mb in sizes_mb:
            capacity = size_mb * MB
            for policy in policies:
                if policy == "cachetools-lru":
                    hits = replay_cachetools(requests, capacity)
                elif policy == "belady":
                    hits = replay_belady(requests, capacity)
                else:
                    hits = replay_ledger(requests, capacity, policy)
                ratios[policy][size_mb].append(hits / len(requests))
    return {
        "trace_params": {k: v for k, v in TraceParams(**TRACE).as_dict().items() if k != "seed"}
        | {"seeds": seeds},
        "traces": trace_stats,
        "sizes_mb": list(sizes_mb),
        "hit_ratio_mean": {
            p: {str(s): round(statistics.mean(v), 4) for s, v in by_size.items()}
            for p, by_size in ratios.items()
        },
        "hit_ratio_per_seed": {
            p: {str(s): [round(x, 4) for x in v] for s, v in by_size.items()}
            for p, by_size in ratios.items()
        },
    }


def run_two_tier(seeds: list[int]) -> dict[str, object]:
    rows: dict[str, dict[str, list[dict[str, float]]]] = {}
    for profile, overrides in PROFILES.items():
        for seed in seeds:
            trace, catalogue = generate_with_catalogue(TraceParams(seed=seed, **overrides))
            for mode in MODES:
                for p1, p2 in COMBOS:
                    row = simulate(
                        trace, catalogue, mode=mode,
                        tier1=(TIER_SIZES[0], p1), tier2=(TIER_SIZES[1], p2),
                    )  # fmt: skip
                    rows.setdefault(profile, {}).setdefault(f"{mode}|{p1}|{p2}", []).append(row)
    mean = {
        profile: {
            combo: {m: round(statistics.mean(r[m] for r in runs), 4) for m in runs[0]}
            for combo, runs in by_combo.items()
        }
        for profile, by_combo in rows.items()
    }
    return {"tier_sizes_bytes": list(TIER_SIZES), "profiles": PROFILES, "mean": mean}


def two_tier_table(result: dict) -> str:
    lines = [
        "| trace | warmer | tier1 policy | tier2 policy | hit ratio | tier1 hits | "
        "tier2 hits | renders / request |",
        "|---|---|---|---|---:|---:|---:|---:|",
    ]
    for profile, by_combo in result["mean"].items():
        for combo, m in by_combo.items():
            mode, p1, p2 = combo.split("|")
            lines.append(
                f"| {profile} | {mode} | {p1} | {p2} | {100 * m['hit_ratio']:.1f} % | "
                f"{100 * m['tier1_hit_ratio']:.1f} % | {100 * m['tier2_hit_ratio']:.1f} % | "
                f"{m['renders_per_request']:.2f} |"
            )
    return "\n".join(lines)


def table(result: dict) -> str:
    sizes = result["sizes_mb"]
    head = "| policy | " + " | ".join(f"{s:,} MB" for s in sizes) + " |"
    rule = "|---|" + "---:|" * len(sizes)
    rows = [
        f"| {p} | " + " | ".join(f"{100 * v[str(s)]:.2f} %" for s in sizes) + " |"
        for p, v in result["hit_ratio_mean"].items()
    ]
    return "\n".join([head, rule, *rows])


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    sizes = result["sizes_mb"]
    styles = {"belady": ":", "cachetools-lru": "--"}
    for policy, values in result["hit_ratio_mean"].items():
        ax.plot(
            sizes, [100 * values[str(s)] for s in sizes], styles.get(policy, "-"),
            marker="o", label=policy,
        )  # fmt: skip
    infinite = statistics.mean(t["infinite_cache_hit_ratio"] for t in result["traces"])
    ax.axhline(100 * infinite, color="grey", lw=0.8, label="infinite cache")
    ax.set_xscale("log")
    ax.set_xlabel("cache capacity (MB, log scale)")
    ax.set_ylabel("hit ratio (%)")
    ax.set_title("Chunk cache hit ratio on playback traces (equal byte budgets)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--quick", action="store_true", help="one seed, three sizes")
    args = parser.parse_args()
    seeds = [1] if args.quick else args.seeds
    sizes = (12, 240, 4000) if args.quick else SIZES_MB
    started = time.perf_counter()
    result = run(seeds, sizes)
    result["two_tier"] = run_two_tier(seeds)
    result["elapsed_s"] = round(time.perf_counter() - started, 1)
    text = table(result)
    two_tier = two_tier_table(result["two_tier"])
    print(text)
    print()
    print(two_tier)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cache_hit_ratio.json").write_text(json.dumps(result, indent=2))
    plot(result, RESULTS / "cache_hit_ratio.png")
    traces = "\n".join(
        f"- seed {t['seed']}: {t['requests']:,} requests, {t['unique_chunks']:,} distinct chunks "
        f"({t['unique_gb']} GB), infinite-cache hit ratio "
        f"{100 * t['infinite_cache_hit_ratio']:.2f} %"
        for t in result["traces"]
    )
    params = ", ".join(f"`{k}={v}`" for k, v in result["trace_params"].items())
    (RESULTS / "cache_hit_ratio.md").write_text(
        "# Chunk cache hit ratio on playback traces\n\n"
        f"Command: `.venv/bin/python bench/cache_hit_ratio.py {' '.join(sys.argv[1:])}`\n\n"
        f"Mean hit ratio over seeds {seeds} (every request of the trace counts once):\n\n"
        f"{text}\n\nTraces ({params}):\n\n{traces}\n\n![hit ratio](cache_hit_ratio.png)\n\n"
        "## Both tiers with the warmer\n\n"
        "Default capacities (tier1 12 MB, tier2 240 MB), replayed by "
        "`bench/cache_two_tier_sim.py` (an idealised warmer that keeps up with playback: "
        "`hot` = playhead + 2 chunks into tier1, `hot+fill/2` = also up to 2 more chunks of "
        "the track into tier2 per request, `hot+fill` = the whole track into tier2 at once "
        f"for every listener). Mean over seeds {seeds}; the household "
        f"profile is `{PROFILES['household (3 listeners)']}`.\n\n{two_tier}\n\n"
        "These replays chose S3-FIFO for the disk tier at first; the defaults are now chosen "
        "by `bench/cache_policy_replay.py` (the real tiers, three trace families, with and "
        "without the warmer): see `src/masterstream/cache/policies.py`.\n"
    )


if __name__ == "__main__":
    main()
