"""Scanning a music folder into the catalog, in two phases: index, then analyse.

**Index** reads each file's header, tags and signature (:mod:`.entries`): new files are
added, changed files (different bytes) are updated, vanished files are removed. A file
whose stamp (size, mtime, ctime, inode) is unchanged is not re-read (only a cover image
added to or removed from its folder is noted); ctime and inode cannot be set back, so
content restored under an old size and mtime is still noticed.
A file that can no longer be decoded is removed from the catalog (its chunks must be
purged by the caller, like those of every removed or updated track) and reported as
skipped, with its reason; a bad file never aborts a scan.

**Analyse** fingerprints the indexed tracks that have no fingerprint yet
(:meth:`Catalog.analysis_queue`); a track whose audio fails to decode is removed too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..audio.decode import SUPPORTED_EXTENSIONS
from ..audio.signature import content_signature
from ..errors import AudioError, CatalogError
from .catalog import Catalog
from .covers import FolderCovers
from .entries import read_entry
from .records import FileStamp

Fingerprinter = Callable[[Path], dict[str, Any]]
ScanProgress = Callable[[int, int, Path], None]
REFRESH_STATISTICS_AFTER = 1000  # tracks added or removed by one scan


@dataclass(slots=True)
class ScanReport:
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    analysed: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "removed": len(self.removed),
            "unchanged": len(self.unchanged),
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
        }

    def drop(self, track_id: int, path: str, reason: str) -> None:
        """A track that turned out unusable: it leaves the catalog and is reported skipped
        (and removed, unless this scan had only just added it)."""
        if track_id in self.added:
            self.added.remove(track_id)
        else:
            for group in (self.updated, self.unchanged):
                if track_id in group:
                    group.remove(track_id)
            self.removed.append(track_id)
        self.skipped.append((path, reason))


def find_audio_files(root: Path) -> list[Path]:
    """Every file under ``root`` with a supported audio extension, in a stable order."""
    return sorted(
        p for p in root.rglob("*")
        if p.suffix.lower() in SUPPORTED_EXTENSIONS and p.is_file() and not p.name.startswith(".")
    )  # fmt: skip


def scan(
    catalog: Catalog, root: str | Path, *, fingerprinter: Fingerprinter | None = None,
    progress: ScanProgress | None = None,
) -> ScanReport:  # fmt: skip
    """Bring the catalog in line with the audio files under ``root``: index every file,
    then (with a ``fingerprinter``) analyse the tracks under ``root`` that need it."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise CatalogError(f"library folder does not exist: {root}")
    report = ScanReport()
    files = find_audio_files(root)
    known = catalog.track_paths()
    covers = FolderCovers()
    for i, path in enumerate(files):
        if progress:
            progress(i, len(files), path)
        index_file(catalog, path, root=root, report=report, covers=covers)
    seen = {str(p) for p in files}
    for path, track_id in known.items():
        if path not in seen and Path(path).is_relative_to(root):
            catalog.remove_track(track_id)
            report.removed.append(track_id)
    if len(report.added) + len(report.removed) >= REFRESH_STATISTICS_AFTER:
        catalog.refresh_statistics()  # the query planner's view of a much changed catalog
    if fingerprinter is not None:
        analyse(catalog, fingerprinter, report=report, root=root)
    if progress:
        progress(len(files), len(files), root)
    return report


def index_file(
    catalog: Catalog, path: Path, *, root: Path, report: ScanReport,
    covers: FolderCovers | None = None,
) -> None:  # fmt: skip
    """Index one file into the catalog and note the outcome in ``report``."""
    key = str(path)
    existing = catalog.find_by_path(key)
    try:
        stamp = FileStamp.of_path(path)
        if existing is not None and existing.stamp == stamp:
            cover = covers(path) if covers is not None else None
            if existing.cover_path != (None if cover is None else str(cover)):
                catalog.set_cover_path(existing.id, cover)  # a cover image came or went
            report.unchanged.append(existing.id)
            return
        signature = content_signature(path)
        entry = read_entry(path, root=root, stamp=stamp, signature=signature, covers=covers)
    except (AudioError, OSError) as exc:
        reason = str(exc) if isinstance(exc, AudioError) else f"cannot read {path}: {exc}"
        if existing is None:
            report.skipped.append((key, reason))
        else:  # it was playable: now it is not, and its old chunks must go
            catalog.remove_track(existing.id)
            report.drop(existing.id, key, reason)
        return
    track_id = catalog.index_track(entry)
    if existing is None:
        report.added.append(track_id)
    elif existing.signature != signature:
        report.updated.append(track_id)
    else:
        report.unchanged.append(track_id)


def analyse(
    catalog: Catalog, fingerprinter: Fingerprinter, *, report: ScanReport,
    root: Path | None = None, batch: int = 100,
) -> None:  # fmt: skip
    """Fingerprint every indexed track without one (under ``root`` if given)."""
    after = 0
    while records := catalog.analysis_queue(limit=batch, after_id=after):
        for record in records:
            after = record.id
            if root is not None and not Path(record.path).is_relative_to(root):
                continue
            try:
                fingerprint = fingerprinter(Path(record.path))
            except AudioError as exc:
                catalog.remove_track(record.id)
                report.drop(record.id, record.path, str(exc))
                continue
            catalog.set_fingerprint(record.id, fingerprint)
            report.analysed.append(record.id)
