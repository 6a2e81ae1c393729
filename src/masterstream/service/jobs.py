"""The CPU-bound work, as plain picklable functions a thread or a worker process can run.

Each job carries everything it needs (paths, geometry numbers, the plan), touches no
shared state, and returns bytes or a plan, so the same function runs in-process for the
CLI, in a thread pool, or in a process pool for the server.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..cache.keys import ORIGINAL

if TYPE_CHECKING:
    from ..mastering import MasteringPlan

# The DSP, codecs and decoders are imported inside each job: the server process that only
# schedules jobs starts without them (issue 9), a worker pays the import once.


@dataclass(frozen=True, slots=True)
class RenderJob:
    """One chunk to decode, master and encode."""

    path: str
    total_frames: int
    sample_rate: int
    chunk_duration_s: float
    chunk_index: int
    plan: MasteringPlan
    intensity: float
    fmt: str  # a format token: wav, flac, opus-128, mp3-192
    dither_seed: int | None
    channels: int = 2


def run_render_job(job: RenderJob) -> bytes:
    """Decode, master and encode one chunk. A lossy chunk is rendered over the wider span
    its encoder needs (pre-roll, post-roll) and encoded as a segment of the track's one
    continuous stream, or as a file of its own for a standalone format (see
    :mod:`masterstream.audio.lossy`)."""
    from ..audio.chunks import ChunkGeometry
    from ..audio.encode import encode
    from ..audio.formats import parse_token
    from ..audio.lossy import lossy_stream
    from ..mastering.render import render_chunk, render_span

    geometry = ChunkGeometry(job.total_frames, job.sample_rate, job.chunk_duration_s)
    fmt = parse_token(job.fmt)
    if fmt.lossy is None:
        audio = render_chunk(job.path, geometry, job.chunk_index, job.plan, job.intensity)
        return encode(audio, job.sample_rate, fmt.name, dither_seed=job.dither_seed)
    stream = lossy_stream(fmt.name, geometry, job.channels, fmt.bitrate_kbps)
    start, stop = stream.input_span(job.chunk_index)
    audio = render_span(job.path, geometry, start, stop, job.plan, job.intensity)
    return stream.encode_chunk(audio, job.chunk_index, start_frame=start, standalone=fmt.standalone)


def compute_headroom_plan(
    path: str, plan: MasteringPlan, headroom_db: float, offset_db: float = 0.0
) -> MasteringPlan:
    """``plan`` for a lossy encoding (limited ``headroom_db`` lower, loudness kept) and for
    album mode (its target moved by the track's ``offset_db`` from the album's loudness)."""
    from ..mastering.headroom import plan_with_headroom

    return plan_with_headroom(path, plan, headroom_db, offset_db)


def measure_loudness_blocks(path: str) -> np.ndarray:
    """The file's 400 ms gating-block mean squares, for its album's loudness."""
    from ..mastering.album import loudness_blocks_file

    return loudness_blocks_file(path)


def compute_plans(
    path: str, presets: tuple[str, ...], sample_rate: int, channels: int,
    fingerprint: dict[str, Any] | None,
) -> dict[str, MasteringPlan]:  # fmt: skip
    """Plan each of ``presets`` for the track, streaming over its file once in bounded
    memory (a missing fingerprint is measured on the way; ``original`` needs no audio)."""
    from ..mastering import Fingerprint, compute_fingerprint, plan_mastering
    from ..mastering.analysis import analyse_file

    stored = Fingerprint.from_dict(fingerprint) if fingerprint is not None else None
    plans: dict[str, MasteringPlan] = {}
    if ORIGINAL in presets:
        silent = np.zeros((0, channels), dtype=np.float32)
        known = stored or compute_fingerprint(silent, sample_rate)
        plans[ORIGINAL] = plan_mastering(ORIGINAL, known, silent, sample_rate)
    mastered = tuple(p for p in presets if p != ORIGINAL)
    if mastered:
        plans.update(analyse_file(path, mastered, fingerprint=stored)[1])
    return plans


def measure_and_plan(
    path: str, presets: tuple[str, ...]
) -> tuple[dict[str, Any], dict[str, MasteringPlan]]:
    """A track played (or planned) before its analysis: its fingerprint (to store) and a
    plan for each of ``presets``, measured in one pass over the file (the plans equal
    :func:`compute_plans`')."""
    from ..mastering.analysis import analyse_file

    fingerprint, plans = analyse_file(path, presets)
    return fingerprint.to_dict(), plans


def init_worker() -> None:
    """A render worker process: Ctrl-C is the server's to handle, then warm up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm_up()


def warm_up() -> None:
    """Import and compile the DSP kernels in a fresh worker, so its first real job is fast."""
    from ..mastering import compute_fingerprint, master_window, plan_mastering

    rate = 44100
    noise = np.random.default_rng(0).standard_normal((rate, 2)).astype(np.float32) * 0.1
    for preset in ("punchy", "warm"):
        plan = plan_mastering(preset, compute_fingerprint(noise, rate), noise, rate)
        master_window(noise, rate, plan, 1.0, 0, rate // 2)
