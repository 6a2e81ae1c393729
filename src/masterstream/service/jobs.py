"""The CPU-bound work, as plain picklable functions a thread or a worker process can run.

Each job carries everything it needs (paths, geometry numbers, the plan), touches no
shared state, and returns bytes or a plan, so the same function runs in-process for the
CLI, in a thread pool, or in a process pool for the server.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..audio.chunks import ChunkGeometry
from ..audio.encode import encode
from ..cache import ORIGINAL
from ..mastering import Fingerprint, MasteringPlan, compute_fingerprint, plan_mastering
from ..mastering.analysis import analyse_file


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
    fmt: str
    dither_seed: int | None


def run_render_job(job: RenderJob) -> bytes:
    from ..mastering import render_chunk

    geometry = ChunkGeometry(job.total_frames, job.sample_rate, job.chunk_duration_s)
    audio = render_chunk(job.path, geometry, job.chunk_index, job.plan, job.intensity)
    return encode(audio, job.sample_rate, job.fmt, dither_seed=job.dither_seed)


def compute_plan(
    path: str, preset: str, sample_rate: int, channels: int, fingerprint: dict[str, Any] | None
) -> MasteringPlan:
    """Plan ``preset`` for the track, streaming over its file in bounded memory (a missing
    fingerprint is measured on the way; ``original`` needs no audio)."""
    stored = Fingerprint.from_dict(fingerprint) if fingerprint is not None else None
    if preset == ORIGINAL:
        silent = np.zeros((0, channels), dtype=np.float32)
        known = stored or compute_fingerprint(silent, sample_rate)
        return plan_mastering(preset, known, silent, sample_rate)
    return analyse_file(path, (preset,), fingerprint=stored)[1][preset]


def init_worker() -> None:
    """A render worker process: Ctrl-C is the server's to handle, then warm up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm_up()


def warm_up() -> None:
    """Import and compile the DSP kernels in a fresh worker, so its first real job is fast."""
    from ..mastering import master_window

    rate = 44100
    noise = np.random.default_rng(0).standard_normal((rate, 2)).astype(np.float32) * 0.1
    for preset in ("punchy", "warm"):
        plan = plan_mastering(preset, compute_fingerprint(noise, rate), noise, rate)
        master_window(noise, rate, plan, 1.0, 0, rate // 2)
