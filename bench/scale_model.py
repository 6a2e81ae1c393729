"""A model (not a measurement) of a 100,000-track community on several servers sharing one
Redis: the shared tier's hit ratio by its size, and listeners per core that follow from it.

Simulated: listens drawn from a Zipf popularity over 100,000 tracks (lognormal lengths,
median 4 min), each listen a whole track in one variant: preset (the default for 60 %,
each of the four others 10 %) and format (Opus 128 kbit/s 60 %, MP3 192 kbit/s 30 %, FLAC
10 %). A listen touches every chunk of its (track, variant) in order, so the shared tier is
modelled as an LRU over those (bytes = chunks x chunk size), as Redis's allkeys-lru would
hold them. Costs come from this repository's measurements: a 10 s chunk renders in 46 ms
(bench/results/render.md, slowest preset), encodes in 101 ms (Opus) / 95 ms (MP3) / 20 ms
(FLAC) (bench/results/bench_encoders.md, ~100x real time per core), a new (track, preset)
plan costs 1.4 s and a new track's fingerprint 1.0 s (render.md); a hit costs ~1 ms of CPU
(the hit path, bench/results/server.md). Listeners per core = 10 s of audio / mean CPU per
chunk. Writes bench/results/scale_model.md.

    .venv/bin/python bench/scale_model.py [--listens 300000]
"""

from __future__ import annotations

import argparse
import math
import random
from collections import OrderedDict
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "scale_model.md"
TRACKS = 100_000
CHUNK_S = 10.0
FORMATS = {
    "opus": (0.60, 160_000, 0.101),
    "mp3": (0.30, 240_000, 0.095),
    "flac": (0.10, 838_000, 0.020),
}  # share, bytes per chunk, encode CPU s per chunk
PRESETS = {"default": 0.60, "p2": 0.10, "p3": 0.10, "p4": 0.10, "p5": 0.10}
RENDER_S, PLAN_S, FINGERPRINT_S, HIT_S = 0.046, 1.4, 1.0, 0.001
SIZES_GB = (1, 2, 4, 8, 16, 32)


def zipf_sampler(n: int, alpha: float, rng: random.Random):
    weights = [1.0 / (k**alpha) for k in range(1, n + 1)]
    total = sum(weights)
    cumulative, acc = [], 0.0
    for w in weights:
        acc += w / total
        cumulative.append(acc)
    return lambda: min(n - 1, _bisect(cumulative, rng.random()))


def _bisect(values: list[float], x: float) -> int:
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def simulate(listens: int, alpha: float, size_bytes: float, seed: int = 1) -> dict[str, float]:
    rng = random.Random(seed)
    lengths = [max(1, math.ceil(rng.lognormvariate(math.log(240), 0.35) / CHUNK_S))
               for _ in range(TRACKS)]  # fmt: skip
    pick = zipf_sampler(TRACKS, alpha, rng)
    formats, presets = list(FORMATS), list(PRESETS)
    fmt_w, preset_w = [FORMATS[f][0] for f in formats], list(PRESETS.values())
    lru: OrderedDict[tuple, int] = OrderedDict()
    used = 0.0
    planned: set[tuple[int, str]] = set()
    fingerprinted: set[int] = set()
    chunks = hits = 0
    cpu_s = 0.0
    warmup = listens // 3
    for i in range(listens):
        track = pick()
        fmt = rng.choices(formats, fmt_w)[0]
        preset = rng.choices(presets, preset_w)[0]
        n, (_, chunk_bytes, encode_s) = lengths[track], FORMATS[fmt]
        key, size = (track, preset, fmt), n * chunk_bytes
        hit = key in lru
        if hit:
            lru.move_to_end(key)
        else:
            lru[key] = size
            used += size
            while used > size_bytes and lru:
                used -= lru.popitem(last=False)[1]
        if i < warmup:
            continue
        chunks += n
        if hit:
            hits += n
            cpu_s += n * HIT_S
            continue
        cpu_s += n * (RENDER_S + encode_s + HIT_S)
        if (track, preset) not in planned:
            planned.add((track, preset))
            cpu_s += PLAN_S
        if track not in fingerprinted:
            fingerprinted.add(track)
            cpu_s += FINGERPRINT_S
    per_chunk_s = cpu_s / chunks
    return {"hit_ratio": hits / chunks, "cpu_ms_per_chunk": per_chunk_s * 1e3,
            "listeners_per_core": CHUNK_S / per_chunk_s}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listens", type=int, default=300_000)
    args = parser.parse_args()
    lines = [
        "# Model: a 100,000-track community on servers sharing one Redis", "",
        f"`.venv/bin/python bench/scale_model.py --listens {args.listens}` — a **model**, not a "
        "measurement: see the script's docstring for every assumption and where each cost was "
        "measured. The first third of the listens warms the tier and is not counted.", "",
        "| Zipf α | Redis (GB) | hit ratio | CPU ms per 10 s chunk | listeners per core |",
        "|---:|---:|---:|---:|---:|",
    ]  # fmt: skip
    for alpha in (0.8, 1.0):
        for gb in SIZES_GB:
            r = simulate(args.listens, alpha, gb * 1e9)
            lines.append(f"| {alpha} | {gb} | {r['hit_ratio']:.1%} | {r['cpu_ms_per_chunk']:.1f} "
                         f"| {r['listeners_per_core']:.0f} |")  # fmt: skip
            print(lines[-1], flush=True)
    lines += ["", "Reading it: listeners per core is what one core sustains in real time once "
              "the tier is warm; a server with two cores carries twice that, and N servers "
              "N times (they share renders through the tier: a chunk is rendered once in the "
              "cluster). Cold-start cost (plans, fingerprints) is included as listens meet "
              "new tracks."]  # fmt: skip
    RESULTS.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
