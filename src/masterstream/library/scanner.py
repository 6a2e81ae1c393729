"""Scanning a music folder into the catalog.

New files are added, changed files (different bytes) get a new signature and a fresh
fingerprint, vanished files are removed, and unreadable files are skipped with a
one-line reason each — a bad file never aborts a scan. A file whose size and
modification time are unchanged is not re-hashed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..audio.decode import SUPPORTED_EXTENSIONS, read_info
from ..audio.signature import content_signature
from ..errors import AudioError, CatalogError
from .catalog import Catalog

Fingerprinter = Callable[[Path], dict[str, Any]]
ScanProgress = Callable[[int, int, Path], None]


@dataclass(slots=True)
class ScanReport:
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "removed": len(self.removed),
            "unchanged": len(self.unchanged),
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
        }


def find_audio_files(root: Path) -> list[Path]:
    """Every file under ``root`` with a supported audio extension, in a stable order."""
    return sorted(
        p for p in root.rglob("*")
        if p.suffix.lower() in SUPPORTED_EXTENSIONS and p.is_file() and not p.name.startswith(".")
    )  # fmt: skip


def scan(
    catalog: Catalog, root: str | Path, *, fingerprinter: Fingerprinter,
    progress: ScanProgress | None = None,
) -> ScanReport:  # fmt: skip
    """Bring the catalog in line with the audio files under ``root``."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise CatalogError(f"library folder does not exist: {root}")
    report = ScanReport()
    files = find_audio_files(root)
    seen: set[str] = set()
    for i, path in enumerate(files):
        if progress:
            progress(i, len(files), path)
        key = str(path)
        seen.add(key)
        try:
            _scan_file(catalog, path, fingerprinter, report)
        except AudioError as exc:
            report.skipped.append((key, str(exc)))
    for record in catalog.list_tracks():
        if record.path not in seen and Path(record.path).is_relative_to(root):
            catalog.remove_track(record.id)
            report.removed.append(record.id)
    if progress:
        progress(len(files), len(files), root)
    return report


def _scan_file(
    catalog: Catalog, path: Path, fingerprinter: Fingerprinter, report: ScanReport
) -> None:
    stat = path.stat()
    existing = catalog.find_by_path(str(path))
    if (existing and existing.size_bytes == stat.st_size and existing.mtime_ns == stat.st_mtime_ns
            and existing.fingerprint is not None):  # fmt: skip
        report.unchanged.append(existing.id)
        return
    signature = content_signature(path)
    if existing and existing.signature == signature and existing.fingerprint is not None:
        catalog.touch_track(existing.id, mtime_ns=stat.st_mtime_ns)
        report.unchanged.append(existing.id)
        return
    info = read_info(path)
    fingerprint = fingerprinter(path)
    track_id = catalog.upsert_track(
        path=str(path), signature=signature, size_bytes=stat.st_size, mtime_ns=stat.st_mtime_ns,
        frames=info.frames, sample_rate=info.sample_rate, channels=info.channels,
        title=info.title, artist=info.artist, fingerprint=fingerprint,
    )  # fmt: skip
    (report.updated if existing else report.added).append(track_id)
