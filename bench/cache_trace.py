"""Synthetic playback traces for the cache hit-ratio benchmark.

A trace is the time-ordered list of chunk requests of many listeners playing music:

- a catalogue of tracks with realistic durations (chunks of ``chunk_duration_s``) and
  sizes (10 s of 16-bit stereo 44.1 kHz WAV is 1,764,044 bytes; FLAC 45-65 % of that);
- listeners start at random times and play sessions of tracks picked by Zipf popularity
  (exponent ``zipf_s``) or, with ``favourite_p``, one of their own favourites (replays);
- each track plays sequentially from chunk 0, one chunk per ``chunk_duration_s``, with a
  ``skip_p`` chance of skipping to the next track early, a ``seek_p`` chance of one seek
  to a random position, and a ``preset_switch_p`` chance of switching the mastering
  preset mid-track;
- each listener has a preferred preset, intensity and format.

Everything is drawn from one seeded ``random.Random``; :class:`TraceParams` is the
complete, published description of a trace.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import asdict, dataclass

WAV_CHUNK_BYTES = 1_764_044  # 10 s, 44.1 kHz, stereo, 16 bit, with the 44-byte header
PRESETS = (None, "warm", "bright", "punchy", "adaptive")
PRESET_WEIGHTS = (0.30, 0.25, 0.15, 0.15, 0.15)


@dataclass(frozen=True)
class TraceParams:
    seed: int = 1
    tracks: int = 3000
    listeners: int = 300
    tracks_per_listener: int = 25
    session_span_s: float = 4 * 3600.0  # listeners start uniformly within this window
    zipf_s: float = 0.9
    favourites_per_listener: int = 6
    favourite_p: float = 0.25
    skip_p: float = 0.30  # skip the track after a geometric number of chunks (mean 3)
    seek_p: float = 0.10
    preset_switch_p: float = 0.08
    flac_p: float = 0.30
    chunk_duration_s: float = 10.0
    duration_min_s: float = 120.0
    duration_max_s: float = 420.0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Request:
    time_s: float
    listener: int
    track_id: int
    preset: str | None
    intensity: float
    chunk_index: int
    fmt: str
    size_bytes: int


@dataclass(frozen=True, slots=True)
class Track:
    chunk_count: int
    flac_ratio: float


def make_catalogue(params: TraceParams, rng: random.Random) -> list[Track]:
    tracks = []
    for _ in range(params.tracks):
        duration_s = rng.uniform(params.duration_min_s, params.duration_max_s)
        chunks = math.ceil(duration_s / params.chunk_duration_s)
        tracks.append(Track(chunks, rng.uniform(0.45, 0.65)))
    return tracks


def chunk_size_bytes(track: Track, chunk_index: int, fmt: str) -> int:
    size = WAV_CHUNK_BYTES if chunk_index < track.chunk_count - 1 else WAV_CHUNK_BYTES // 2
    return size if fmt == "wav" else int(size * track.flac_ratio)


def zipf_sampler(n: int, s: float, rng: random.Random):
    weights = [1.0 / (rank**s) for rank in range(1, n + 1)]
    population = list(range(n))
    rng.shuffle(population)  # popularity is unrelated to track id
    cumulative = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    return lambda: population[_bisect(cumulative, rng.random() * total)]


def _bisect(cumulative: list[float], x: float) -> int:
    lo, hi = 0, len(cumulative)
    while lo < hi:
        mid = (lo + hi) // 2
        if cumulative[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return min(lo, len(cumulative) - 1)


def listener_requests(
    listener: int, params: TraceParams, catalogue: list[Track], popular, rng: random.Random
) -> list[Request]:
    preset = rng.choices(PRESETS, PRESET_WEIGHTS)[0]
    intensity = rng.choice((0.5, 0.75, 1.0))
    fmt = "flac" if rng.random() < params.flac_p else "wav"
    favourites = [popular() for _ in range(params.favourites_per_listener)]
    time_s = rng.uniform(0.0, params.session_span_s)
    out: list[Request] = []
    for _ in range(params.tracks_per_listener):
        track_id = rng.choice(favourites) if rng.random() < params.favourite_p else popular()
        track = catalogue[track_id]
        stop = track.chunk_count
        if rng.random() < params.skip_p:
            stop = min(stop, 1 + int(rng.expovariate(1 / 3)))
        seek_at = rng.randrange(stop) if rng.random() < params.seek_p else None
        switch_at = rng.randrange(stop) if rng.random() < params.preset_switch_p else None
        chunk_index = 0
        current_preset = preset
        while chunk_index < stop:
            if chunk_index == switch_at:
                current_preset = rng.choice([p for p in PRESETS if p != current_preset])
            out.append(
                Request(
                    time_s, listener, track_id, current_preset,
                    1.0 if current_preset is None else intensity,
                    chunk_index, fmt, chunk_size_bytes(track, chunk_index, fmt),
                )
            )  # fmt: skip
            time_s += params.chunk_duration_s
            if chunk_index == seek_at:
                seek_at = None
                chunk_index = rng.randrange(track.chunk_count)
                stop = track.chunk_count
            else:
                chunk_index += 1
    return out


def generate(params: TraceParams) -> list[Request]:
    """Every listener's requests, merged in time order."""
    return generate_with_catalogue(params)[0]


def generate_with_catalogue(params: TraceParams) -> tuple[list[Request], list[Track]]:
    """The trace and the catalogue it plays (``catalogue[track_id]``)."""
    rng = random.Random(params.seed)
    catalogue = make_catalogue(params, rng)
    popular = zipf_sampler(params.tracks, params.zipf_s, rng)
    streams = [
        listener_requests(listener, params, catalogue, popular, rng)
        for listener in range(params.listeners)
    ]
    return list(heapq.merge(*streams, key=lambda r: (r.time_s, r.listener))), catalogue
