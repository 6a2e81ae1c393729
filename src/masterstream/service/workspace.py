"""Opening the user's workspace from :class:`~masterstream.config.Settings`, for the CLI.

``open_library`` opens the catalog (synthesising and scanning the demo library on first
use); ``scan_with_progress`` scans a folder in two phases with progress bars (the CLI's
``scan``); ``resolve_track`` turns a command-line TRACK (a file path or a catalog id) into a
record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Settings
from ..errors import SourceUnavailableError
from ..library.catalog import Catalog, TrackRecord
from .tracks import TrackLibrary, fingerprint_file

if TYPE_CHECKING:
    from rich.progress import Progress

    from ..library.scanner import ScanReport

ProgressFactory = Callable[[], AbstractContextManager]


@contextmanager
def open_library(
    settings: Settings, *, ensure_demo: bool = True, progress: ProgressFactory | None = None
) -> Iterator[TrackLibrary]:
    """The catalog as a :class:`TrackLibrary`; with ``ensure_demo``, the demo library is
    synthesised and scanned first if it is not there yet."""
    catalog = Catalog(settings.catalog_target)
    try:
        library = TrackLibrary(catalog, chunk_duration_s=settings.chunk_duration_s)
        if ensure_demo:
            prepare_library(library, settings, progress=progress)
        yield library
    finally:
        catalog.close()


def prepare_library(
    library: TrackLibrary, settings: Settings, *, progress: ProgressFactory | None = None
) -> None:
    """Make sure the configured library (or the demo library) is synthesised and scanned."""
    root = settings.effective_library_dir
    if settings.library_dir is None:
        from ..library.demo import synthesize_demo_library  # scipy, PIL: only when used

        if progress is None:
            synthesize_demo_library(root)
        else:
            with progress() as bar:
                task = bar.add_task("synthesising demo library", total=None)
                synthesize_demo_library(
                    root,
                    progress=lambda done, total, title: bar.update(
                        task, completed=done, total=total, description=f"synthesising {title}"
                    ),
                )
    if progress is None:
        library.scan(root)
        return
    with progress() as bar:
        task = bar.add_task("scanning library", total=None)
        library.scan(
            root,
            progress=lambda done, total, path: bar.update(
                task, completed=done, total=total, description=f"scanning {path.name}"
            ),
        )


def scan_with_progress(library: TrackLibrary, root: Path, bar: Progress) -> ScanReport:
    """Index ``root`` then analyse what needs it, each phase with its own bar on ``bar``."""
    from ..library.scanner import analyse, scan

    index = bar.add_task("indexing", total=None)
    report = scan(
        library.catalog, root,
        progress=lambda done, total, path: bar.update(
            index, completed=done, total=total, description=f"indexing {path.name}"
        ),
    )  # fmt: skip
    root = root.resolve()
    queued = sum(
        1 for record in library.catalog.analysis_queue(limit=-1)
        if Path(record.path).is_relative_to(root)
    )  # fmt: skip
    analysis = bar.add_task("analysing", total=queued)

    def fingerprint(path: Path) -> dict[str, float]:
        bar.update(analysis, description=f"analysing {path.name}")
        try:
            return fingerprint_file(path)
        finally:
            bar.advance(analysis)

    analyse(library.catalog, fingerprint, report=report, root=root)
    library.reload()
    return report


@contextmanager
def resolve_track(settings: Settings, track: str) -> Iterator[tuple[TrackLibrary, TrackRecord]]:
    """TRACK as given on the command line: an existing audio file, or a catalog id."""
    path = Path(track).expanduser()
    if path.exists():
        with Catalog(":memory:") as catalog:
            library = TrackLibrary(catalog, chunk_duration_s=settings.chunk_duration_s)
            yield library, _add_file(library, path)
        return
    if not track.isdigit():
        raise SourceUnavailableError(f"no such file, and not a catalog track id: {track}")
    with open_library(settings, ensure_demo=False) as library:
        if len(library) == 0:  # a fresh machine: the demo library (or the configured one)
            prepare_library(library, settings)
        yield library, library.get(int(track))


def _add_file(library: TrackLibrary, path: Path) -> TrackRecord:
    from ..library.covers import FolderCovers
    from ..library.entries import read_entry

    if not path.is_file():
        raise SourceUnavailableError(f"not a file: {path}", path=path)
    path = path.resolve()
    entry = read_entry(path, root=path.parent, covers=FolderCovers())
    track_id = library.catalog.index_track(entry, fingerprint=fingerprint_file(path))
    library.reload()
    return library.get(track_id)
