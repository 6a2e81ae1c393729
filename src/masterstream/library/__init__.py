"""The music library: SQLite catalog, folder scanner and the built-in demo library."""

from .catalog import Catalog, TrackRecord
from .demo import DEMO_TRACKS, DemoTrack, synthesize_demo_library
from .scanner import ScanReport, find_audio_files, scan

__all__ = [
    "DEMO_TRACKS",
    "Catalog",
    "DemoTrack",
    "ScanReport",
    "TrackRecord",
    "find_audio_files",
    "scan",
    "synthesize_demo_library",
]
