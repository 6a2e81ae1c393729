"""Album loudness mode: one gain for a whole album, so its tracks keep their level differences.

In track mode every track is mastered to its preset's loudness target, which makes a quiet
ballad as loud as the album's loudest song. In album mode the album as a whole is brought
to the target: its loudness is that of its tracks played one after another (BS.1770 gating
over the 400 ms blocks of every track together), one album gain moves it to the target, and
each track lands ``track - album`` LU from the target, as far from it as it was from the
album's loudness in the source. Each track's gain is calibrated to that moved target
(:func:`~masterstream.mastering.headroom.plan_with_headroom`), so the offset holds even where
the limiter works harder on a track pushed up, and the limiter still holds every track
under the preset's true-peak ceiling.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..audio.decode import read_blocks, read_info
from .limiter import as_planar
from .loudness import gated_loudness
from .loudness_meter import LoudnessMeter


def loudness_blocks_file(path: str | Path) -> np.ndarray:
    """The K-weighted mean squares of the file's 400 ms gating blocks (float32), streamed."""
    info = read_info(path)
    meter = LoudnessMeter(info.sample_rate, info.channels)
    for block in read_blocks(path, dtype="float32"):
        meter.add(as_planar(block), overwrite=True)
    return meter.block_mean_squares().astype(np.float32)


def album_offsets_db(tracks: Sequence[np.ndarray]) -> list[float]:
    """Each track's distance (LU) from the album's loudness, from the tracks' gating blocks
    (:func:`loudness_blocks_file`) in album order; 0 for a silent track or album."""
    if not tracks:
        return []
    album_lufs = gated_loudness(np.concatenate([np.asarray(t, np.float64) for t in tracks]))
    offsets = []
    for blocks in tracks:
        track_lufs = gated_loudness(np.asarray(blocks, np.float64))
        finite = math.isfinite(track_lufs) and math.isfinite(album_lufs)
        offsets.append(track_lufs - album_lufs if finite else 0.0)
    return offsets
