"""The music library: SQLite catalog (albums, artists, search), two-phase scanner, tags,
covers and the built-in demo library."""

from .catalog import Catalog, FileStamp, IndexEntry, TrackRecord
from .demo import DEMO_TRACKS, DemoTrack, synthesize_demo_library
from .scanner import ScanReport, analyse, find_audio_files, index_file, scan
from .tags import TrackTags, read_tags

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
