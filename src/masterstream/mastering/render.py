"""Rendering one chunk of a file: decode its window (context included), master, trim."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..audio.decode import read_window
from ..errors import ChunkOutOfRangeError
from .chain import master_window
from .presets import validate_intensity

if TYPE_CHECKING:
    from ..audio.chunks import ChunkGeometry
    from .plan import MasteringPlan


def render_chunk(
    path: str | Path,
    geometry: ChunkGeometry,
    chunk_index: int,
    plan: MasteringPlan,
    intensity: float,
) -> np.ndarray:
    """Chunk ``chunk_index`` of ``path`` mastered with ``plan``: float32 ``(frames, ch)``.

    Decodes only ``geometry.render_window(chunk_index)`` (the passthrough cases decode only
    the chunk itself) and returns the emitted frames.
    """
    intensity = validate_intensity(intensity)
    if not 0 <= chunk_index < geometry.chunk_count:
        raise ChunkOutOfRangeError(str(path), chunk_index, geometry.chunk_count)
    window = geometry.render_window(chunk_index)
    if plan.passthrough or intensity == 0.0:
        return read_window(path, window.emit_start, window.emit_stop)
    audio = read_window(path, window.start, window.stop)
    return master_window(
        audio, geometry.sample_rate, plan, intensity, window.emit_offset, window.emit_frames
    )
