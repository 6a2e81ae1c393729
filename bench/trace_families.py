"""Three families of listening traces, written in the server's trace format.

Independent of ``cache_trace.py`` (its own catalogues, listener models and randomness),
so a policy chosen on one generator is scored on another. Every family plays WAV chunks
of 10 s (1,764,044 bytes; a track's last chunk holds only the audio that is left) at
real-time pace: a player asks for chunk k+1 when chunk k starts, a seek asks at once.
Each listener has a variant (preset and intensity) it mostly keeps.

- ``albums``: listeners play whole albums in order (Zipf-popular albums), some stop
  part-way; reuse comes from other listeners on the same album and variant.
- ``singles``: Zipf-popular single tracks, skipped after a few chunks or played to the
  end, with seeks to random positions.
- ``scans``: a popular working set (as ``singles``, on a small catalogue) with one-off
  scans mixed in: a client fetches every chunk of many long-tail tracks once, fast
  (a sync or bulk download), each scan bigger than the default cache.

``generate(spec)`` returns the requests in time order; ``write_trace`` writes them with
:class:`masterstream.cache.trace.TraceRecorder` (source ``synthetic``).
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import random
from dataclasses import dataclass, replace
from pathlib import Path

from masterstream.cache import ChunkKey
from masterstream.cache.trace import TraceRecorder

SAMPLE_RATE = 44_100
FRAME_BYTES = 4  # stereo, 16 bit
WAV_HEADER_BYTES = 44
CHUNK_S = 10.0
CHUNK_FRAMES = int(CHUNK_S * SAMPLE_RATE)
PIPELINE = "p1"
PRESETS = (("adaptive", 0.6), ("warm", 0.2), (None, 0.2))
INTENSITIES = ((1.0, 0.75), (0.5, 0.25))


@dataclass(frozen=True)
class TraceSpec:
    """The complete description of one trace; fields a family does not use are ignored."""

    family: str  # albums | singles | scans
    seed: int = 1
    listeners: int = 24
    span_s: float = 2 * 3600.0  # listeners arrive uniformly within this window
    catalogue: int = 1200  # tracks (singles, scans' popular set) or albums (albums)
    zipf_s: float = 0.9
    session_items: tuple[int, int] = (4, 16)  # tracks (or albums) per listener session
    skip_p: float = 0.35  # singles: skip after a few chunks
    seek_p: float = 0.15  # singles: one seek to a random position
    finish_p: float = 0.7  # albums: play the album to its end
    variant_switch_p: float = 0.05  # change preset/intensity before a track
    favourites: int = 5  # a listener's own favourite tracks (albums: favourite albums)
    favourite_p: float = 0.3  # the next pick is one of the favourites
    scans: int = 6
    scan_mb: tuple[int, int] = (300, 700)
    scan_rate_chunks_per_s: float = 5.0

    @property
    def name(self) -> str:
        return f"{self.family}-{self.listeners}L-s{self.seed}"


@dataclass(frozen=True, slots=True)
class Track:
    track_id: int
    duration_s: float

    @property
    def frames(self) -> int:
        return round(self.duration_s * SAMPLE_RATE)

    @property
    def chunk_count(self) -> int:
        return math.ceil(self.frames / CHUNK_FRAMES)

    def chunk_size_bytes(self, index: int) -> int:
        frames = min(CHUNK_FRAMES, self.frames - index * CHUNK_FRAMES)
        return WAV_HEADER_BYTES + FRAME_BYTES * frames

    def chunk_duration_s(self, index: int) -> float:
        return (self.chunk_size_bytes(index) - WAV_HEADER_BYTES) / FRAME_BYTES / SAMPLE_RATE


@dataclass(frozen=True, slots=True)
class Request:
    t_s: float
    listener: int
    key: str
    size_bytes: int


class Listener:
    """One listener's clock, variant and requests."""

    def __init__(self, listener_id: int, spec: TraceSpec, rng: random.Random) -> None:
        self.id = listener_id
        self.spec = spec
        self.rng = rng
        self.t_s = rng.uniform(0.0, spec.span_s)
        self.variant = self._pick_variant()
        self.requests: list[Request] = []
        self.favourites: list[int] = []

    def pick(self, popular) -> int:
        """A favourite (replayed) or a popular item."""
        if not self.favourites:
            self.favourites = [popular() for _ in range(self.spec.favourites)]
        if self.rng.random() < self.spec.favourite_p:
            return self.rng.choice(self.favourites)
        return popular()

    def _pick_variant(self) -> tuple[str | None, float]:
        preset = _weighted(self.rng, PRESETS)
        return preset, 1.0 if preset is None else _weighted(self.rng, INTENSITIES)

    def next_track(self) -> None:
        if self.rng.random() < self.spec.variant_switch_p:
            self.variant = self._pick_variant()
        self.t_s += self.rng.uniform(0.5, 3.0)  # the player loads the next track

    def request(self, track: Track, index: int) -> None:
        preset, intensity = self.variant
        track_id = track.track_id
        key = ChunkKey(track_id, f"sig{track_id}", PIPELINE, preset, intensity, index, "wav")
        size_bytes = track.chunk_size_bytes(index)
        self.requests.append(Request(self.t_s, self.id, key.to_str(), size_bytes))

    def play(self, track: Track, start: int, stop: int) -> None:
        """Request chunks ``start..stop-1`` at real-time pace."""
        for index in range(start, stop):
            self.request(track, index)
            self.t_s += track.chunk_duration_s(index)


def _weighted(rng: random.Random, options):
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights)[0]


def zipf_picker(n: int, s: float, rng: random.Random):
    """A function drawing ``0..n-1`` with Zipf(s) popularity, ranks shuffled over ids."""
    order = list(range(n))
    rng.shuffle(order)
    cumulative = list(itertools.accumulate(1.0 / rank**s for rank in range(1, n + 1)))
    return lambda: order[min(n - 1, bisect.bisect_left(cumulative, rng.random() * cumulative[-1]))]


def _tracks(rng: random.Random, count: int, first_id: int) -> list[Track]:
    return [Track(first_id + i, rng.lognormvariate(math.log(225.0), 0.3)) for i in range(count)]


def _albums(spec: TraceSpec, rng: random.Random) -> list[list[Request]]:
    albums, next_id = [], 1
    for _ in range(spec.catalogue):
        album = _tracks(rng, rng.randint(7, 14), next_id)
        next_id += len(album)
        albums.append(album)
    popular = zipf_picker(len(albums), spec.zipf_s, rng)
    out = []
    for listener_id in range(spec.listeners):
        listener = Listener(listener_id, spec, random.Random(rng.random()))
        for _ in range(listener.rng.randint(*spec.session_items)):
            album = albums[listener.pick(popular)]
            last = len(album)
            if listener.rng.random() >= spec.finish_p:
                last = listener.rng.randint(1, len(album))
            for track in album[:last]:
                listener.next_track()
                listener.play(track, 0, track.chunk_count)
            listener.t_s += listener.rng.uniform(5.0, 120.0)
        out.append(listener.requests)
    return out


def _play_single(listener: Listener, track: Track, spec: TraceSpec) -> None:
    rng = listener.rng
    stop = track.chunk_count
    if rng.random() < spec.skip_p:
        stop = min(stop, 1 + int(rng.expovariate(1 / 2.5)))
    if rng.random() < spec.seek_p:
        seek_from = rng.randrange(stop)
        listener.play(track, 0, seek_from + 1)
        listener.play(track, rng.randrange(track.chunk_count), track.chunk_count)
    else:
        listener.play(track, 0, stop)


def _singles(spec: TraceSpec, rng: random.Random, tracks: list[Track]) -> list[list[Request]]:
    popular = zipf_picker(len(tracks), spec.zipf_s, rng)
    out = []
    for listener_id in range(spec.listeners):
        listener = Listener(listener_id, spec, random.Random(rng.random()))
        for _ in range(listener.rng.randint(*spec.session_items)):
            listener.next_track()
            _play_single(listener, tracks[listener.pick(popular)], spec)
        out.append(listener.requests)
    return out


def _scans(spec: TraceSpec, rng: random.Random) -> list[list[Request]]:
    out = _singles(spec, rng, _tracks(rng, spec.catalogue, 1))
    end_s = max(r.t_s for stream in out for r in stream if stream)
    next_id = 1_000_000  # long-tail tracks nobody else plays
    for n in range(spec.scans):
        scanner = Listener(spec.listeners + n, spec, random.Random(rng.random()))
        scanner.t_s = rng.uniform(0.0, end_s)
        budget_bytes = rng.randint(*spec.scan_mb) * 1_000_000
        while budget_bytes > 0:
            track = _tracks(scanner.rng, 1, next_id)[0]
            next_id += 1
            for index in range(track.chunk_count):
                scanner.request(track, index)
                scanner.t_s += 1.0 / spec.scan_rate_chunks_per_s
                budget_bytes -= track.chunk_size_bytes(index)
        out.append(scanner.requests)
    return out


def generate(spec: TraceSpec) -> list[Request]:
    """Every request of the trace, in time order."""
    rng = random.Random(f"{spec.family}/{spec.seed}")
    if spec.family == "albums":
        streams = _albums(spec, rng)
    elif spec.family == "singles":
        streams = _singles(spec, rng, _tracks(rng, spec.catalogue, 1))
    elif spec.family == "scans":
        streams = _scans(spec, rng)
    else:
        raise ValueError(f"unknown trace family {spec.family!r}")
    return list(heapq.merge(*streams, key=lambda r: (r.t_s, r.listener)))


def write_trace(requests: list[Request], path: Path) -> Path:
    """Write ``requests`` as a trace file (times relative to the first request)."""
    start_s = requests[0].t_s if requests else 0.0
    with TraceRecorder(path, buffer_lines=1024) as recorder:
        for r in requests:
            recorder.record(r.key, r.size_bytes, "synthetic", t_s=r.t_s - start_s)
    return path


def specs(seed: int) -> list[TraceSpec]:
    """The traces the policy bench replays: each family at a light and a busy load."""
    base = [
        TraceSpec("albums", catalogue=5, listeners=6, zipf_s=0.8, session_items=(1, 3)),
        TraceSpec("singles", catalogue=30, listeners=6),
        TraceSpec("scans", catalogue=30, listeners=6, zipf_s=1.0, scans=4),
    ]
    busy = [replace(s, listeners=s.listeners * 4) for s in base]
    return [replace(s, seed=seed, span_s=900.0) for s in (*base, *busy)]
