"""The catalog as the rest of the system sees it: track records by id, kept in memory.

Lookups on the request path (``get``, ``geometry``, ``track_cache_info``) are dictionary
reads; the catalog is read again only after a scan. :class:`TrackLibrary` is also the
cache's :class:`~masterstream.cache.TrackResolver`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ..audio.chunks import DEFAULT_CHUNK_DURATION_S, ChunkGeometry
from ..cache import TrackCacheInfo
from ..errors import ChunkOutOfRangeError, TrackNotFoundError
from ..library.catalog import Catalog, TrackRecord

if TYPE_CHECKING:
    from ..library.scanner import ScanProgress, ScanReport


def fingerprint_file(path: Path) -> dict[str, float]:
    """The fingerprint of a whole file (streamed, bounded memory), as stored in the catalog."""
    from ..mastering import analysis  # numba and scipy: imported by the first analysis

    return analysis.fingerprint_file(path).to_dict()


class TrackLibrary:
    """Track records by id, loaded from the catalog and refreshed after every scan."""

    def __init__(
        self, catalog: Catalog, *, chunk_duration_s: float = DEFAULT_CHUNK_DURATION_S
    ) -> None:
        self.catalog = catalog
        self.chunk_duration_s = chunk_duration_s
        self._lock = threading.Lock()
        self._records: dict[int, TrackRecord] = {}
        self._albums: dict[int, tuple[TrackRecord, ...]] = {}
        self.reload()

    def reload(self) -> None:
        records = {r.id: r for r in self.catalog.list_tracks()}
        albums: dict[int, list[TrackRecord]] = {}
        for record in records.values():
            if record.album_id is not None:
                albums.setdefault(record.album_id, []).append(record)
        with self._lock:
            self._records = records
            self._albums = {album_id: tuple(sorted(tracks, key=lambda r: r.id))
                            for album_id, tracks in albums.items()}  # fmt: skip

    def scan(self, root: Path, *, progress: ScanProgress | None = None) -> ScanReport:
        from ..library.scanner import scan  # tag readers: imported by the first scan

        report = scan(self.catalog, root, fingerprinter=fingerprint_file, progress=progress)
        self.reload()
        return report

    def __len__(self) -> int:
        return len(self._records)

    def records(self) -> list[TrackRecord]:
        return sorted(self._records.values(), key=lambda r: r.id)

    def get(self, track_id: int) -> TrackRecord:
        try:
            return self._records[track_id]
        except KeyError:
            raise TrackNotFoundError(track_id) from None

    def album_tracks(self, album_id: int) -> tuple[TrackRecord, ...]:
        """The records of album ``album_id``'s tracks, by id (empty for an unknown album)."""
        return self._albums.get(album_id, ())

    def geometry(self, record: TrackRecord) -> ChunkGeometry:
        return ChunkGeometry(record.frames, record.sample_rate, self.chunk_duration_s)

    def check_chunk(self, track_id: int, chunk_index: int) -> ChunkGeometry:
        geometry = self.geometry(self.get(track_id))
        if not 0 <= chunk_index < geometry.chunk_count:
            raise ChunkOutOfRangeError(track_id, chunk_index, geometry.chunk_count)
        return geometry

    def track_cache_info(self, track_id: int) -> TrackCacheInfo:
        record = self.get(track_id)
        return TrackCacheInfo(
            signature=record.signature,
            chunk_count=self.geometry(record).chunk_count,
            chunk_duration_s=self.chunk_duration_s,
        )
