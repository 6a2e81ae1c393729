"""Analysing a file: its fingerprint and its plans, decoded block by block.

Memory stays bounded whatever the file's length: the fingerprint and every plan stream
over blocks of the file. A plan needs the fingerprint first, so a track analysed from
scratch is read twice, except that the blocks decoded for the fingerprint are kept for
the plans when they fit in ``keep_bytes`` (16-bit sources are kept as int16: a 6-minute
16-bit stereo song fits the default), which saves decoding the file again. Several
presets are calibrated side by side, on one decode of the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path

import numpy as np

from ..audio.decode import TrackInfo, read_blocks, read_info
from .fingerprint import Fingerprint, FingerprintMeter
from .plan import MasteringPlan, plans_from_blocks

KEEP_BYTES = 64 << 20


def _dtype(info: TrackInfo) -> str:
    return "int16" if info.subtype == "PCM_16" else "float32"


def _decoded(path: str | Path, info: TrackInfo) -> Callable[[], Iterable[np.ndarray]]:
    """The file's blocks (int16 for 16-bit sources), decoded afresh on every call."""
    return lambda: read_blocks(path, dtype=_dtype(info))


def fingerprint_file(path: str | Path) -> Fingerprint:
    """The fingerprint of the whole file."""
    return analyse_file(path, (), keep_bytes=0)[0]


def plan_file(path: str | Path, preset: str, fingerprint: Fingerprint) -> MasteringPlan:
    """``preset`` planned for the file whose fingerprint is ``fingerprint``."""
    return analyse_file(path, (preset,), fingerprint=fingerprint)[1][preset]


def analyse_file(
    path: str | Path,
    presets: Sequence[str],
    *,
    fingerprint: Fingerprint | None = None,
    keep_bytes: int = KEEP_BYTES,
) -> tuple[Fingerprint, dict[str, MasteringPlan]]:
    """The file's fingerprint (measured unless given) and a plan for each of ``presets``."""
    info = read_info(path)
    blocks = _decoded(path, info)
    if fingerprint is None:
        meter = FingerprintMeter(info.sample_rate, info.channels)
        kept: list[np.ndarray] | None = [] if presets and keep_bytes > 0 else None
        size = 0
        for block in read_blocks(path, dtype=_dtype(info)):
            meter.add(block)
            if kept is not None:
                kept.append(block)
                size += block.nbytes
                kept = kept if size <= keep_bytes else None
        fingerprint = meter.result()
        if kept is not None:
            blocks = partial(iter, kept)
    plans = plans_from_blocks(presets, fingerprint, blocks, info.sample_rate, info.channels)
    return fingerprint, plans
