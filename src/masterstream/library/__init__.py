"""The music library: SQLite catalog (albums, artists, search), two-phase scanner, tags,
covers and the built-in demo library."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_exports

_EXPORTS = {
    "DEMO_TRACKS": "demo",
    "Catalog": "catalog",
    "DemoTrack": "demo",
    "FileStamp": "catalog",
    "IndexEntry": "catalog",
    "ScanReport": "scanner",
    "TrackRecord": "catalog",
    "TrackTags": "tags",
    "analyse": "scanner",
    "find_audio_files": "scanner",
    "index_file": "scanner",
    "read_tags": "tags",
    "scan": "scanner",
    "synthesize_demo_library": "demo",
}
__all__ = [
    "DEMO_TRACKS",
    "Catalog",
    "DemoTrack",
    "FileStamp",
    "IndexEntry",
    "ScanReport",
    "TrackRecord",
    "TrackTags",
    "analyse",
    "find_audio_files",
    "index_file",
    "read_tags",
    "scan",
    "synthesize_demo_library",
]
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

if TYPE_CHECKING:  # static analysers see the real objects
    from .catalog import Catalog, FileStamp, IndexEntry, TrackRecord
    from .demo import DEMO_TRACKS, DemoTrack, synthesize_demo_library
    from .scanner import ScanReport, analyse, find_audio_files, index_file, scan
    from .tags import TrackTags, read_tags
