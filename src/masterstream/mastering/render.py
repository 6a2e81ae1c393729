"""Rendering a chunk (or any span) of a file: decode it with its context, master, trim."""

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
    from .plan_model import MasteringPlan


def render_chunk(
    path: str | Path,
    geometry: ChunkGeometry,
    chunk_index: int,
    plan: MasteringPlan,
    intensity: float,
) -> np.ndarray:
    """Chunk ``chunk_index`` of ``path`` mastered with ``plan``: float32 ``(frames, ch)``."""
    if not 0 <= chunk_index < geometry.chunk_count:
        raise ChunkOutOfRangeError(str(path), chunk_index, geometry.chunk_count)
    return render_span(path, geometry, *geometry.chunk_span(chunk_index), plan, intensity)


def render_span(
    path: str | Path,
    geometry: ChunkGeometry,
    start: int,
    stop: int,
    plan: MasteringPlan,
    intensity: float,
) -> np.ndarray:
    """Frames ``[start, stop)`` of ``path`` mastered with ``plan``, rendered with the
    geometry's pre-roll and post-roll around them (decoded, then trimmed) so any span —
    a chunk, or the wider span a lossy encoder needs — joins its neighbours seamlessly.
    The passthrough cases decode only the span itself."""
    intensity = validate_intensity(intensity)
    if plan.passthrough or intensity == 0.0:
        return read_window(path, start, stop)
    lo, hi = geometry.context_span(start, stop)
    audio = read_window(path, lo, hi)
    return master_window(audio, geometry.sample_rate, plan, intensity, start - lo, stop - start)
