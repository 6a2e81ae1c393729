"""Per-track cache status, in the shape of the seed's ``TrackCacheStatusResponse``.

``track_status`` yields the fields of the seed's ``TrackCacheStatusResponse``:
``cached_original`` counts distinct chunks of the original audio held in any tier,
``cached_processed`` those of the requested mastered variant (preset + intensity), or of
any mastered variant when no preset is given. Completion is measured on the requested
variant (the original when ``preset`` is None). The time estimate multiplies the chunks
still missing by the mean measured render time (:data:`DEFAULT_RENDER_TIME_S` per chunk
until a render has been measured). Only entries of the track's current signature,
pipeline version and format count.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol

from ..errors import MasterstreamError
from .keys import quantize_intensity

if TYPE_CHECKING:
    from .keys import ChunkKey
    from .protocols import TrackCacheInfo
    from .render_stats import RenderStats
    from .tier import Tier

DEFAULT_RENDER_TIME_S = 1.0


class StatusSource(Protocol):
    """What per-track status reads from the cache (``ChunkCache`` is one)."""

    @property
    def tier1(self) -> Tier: ...
    @property
    def tier2(self) -> Tier: ...
    @property
    def pipeline_version(self) -> str: ...
    @property
    def render_stats(self) -> RenderStats: ...
    def cached_keys(self, track_id: int) -> list[ChunkKey]: ...


def track_status(
    cache: StatusSource,
    track_id: int,
    info: TrackCacheInfo,
    preset: str | None,
    intensity: float,
    fmt: str,
) -> dict[str, object]:
    level = quantize_intensity(intensity) if preset is not None else 1.0
    original: set[int] = set()
    processed: set[int] = set()
    for key in cache.cached_keys(track_id):
        if (
            key.signature != info.signature
            or key.pipeline_version != cache.pipeline_version
            or key.fmt != fmt
        ):
            continue
        if key.preset is None:
            original.add(key.chunk_index)
        elif preset is None or (key.preset == preset and key.intensity == level):
            processed.add(key.chunk_index)
    total = info.chunk_count
    target = original if preset is None else processed
    cached = len({i for i in target if i < total})
    mean_s = cache.render_stats.mean_s
    per_chunk_s = DEFAULT_RENDER_TIME_S if mean_s is None else mean_s
    return {
        "track_id": track_id,
        "total_chunks": total,
        "cached_original": len(original),
        "cached_processed": len(processed),
        "completion_percent": round(100.0 * cached / total, 1) if total else 0.0,
        "fully_cached": total > 0 and cached >= total,
        "estimated_cache_time_seconds": round(max(0, total - cached) * per_chunk_s, 3),
    }


def every_track_status(
    cache: StatusSource,
    infos: Mapping[int, TrackCacheInfo],
    variants: Mapping[int, tuple[str | None, float, str]],
    resolve: Callable[[int], TrackCacheInfo],
) -> dict[int, dict[str, object]]:
    """The status of every track with a chunk in a tier, each on its variant in
    ``variants`` (the original WAV if none); tracks that no longer resolve are left out."""
    tracks: dict[int, dict[str, object]] = {}
    for track_id in sorted({*cache.tier1.track_ids(), *cache.tier2.track_ids()}):
        info = infos.get(track_id)
        if info is None:
            try:
                info = resolve(track_id)
            except MasterstreamError:
                continue
        preset, intensity, fmt = variants.get(track_id, (None, 1.0, "wav"))
        tracks[track_id] = track_status(cache, track_id, info, preset, intensity, fmt)
    return tracks
