"""Watching the library folder: changed paths in, incremental index passes out.

:func:`watch_folder` turns file-system events (``watchfiles``, debounced: a batch is
handed over once the folder has been quiet for ``quiet_s``) into sets of paths;
:func:`index_paths` brings the catalog in line with just those paths — added and changed
audio files are indexed, vanished ones removed. Anything it cannot decide from the paths
alone (a folder moved in, a folder removed) returns None, and the caller scans the whole
folder instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from watchfiles import awatch

from ..audio.decode import SUPPORTED_EXTENSIONS
from ..library.catalog import Catalog

if TYPE_CHECKING:
    from ..library.scanner import ScanProgress, ScanReport

log = logging.getLogger("masterstream.library")
OnChanges = Callable[[set[Path]], Awaitable[object]]


def is_audio_name(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_EXTENSIONS and not path.name.startswith(".")


def index_paths(
    catalog: Catalog, root: Path, paths: Iterable[Path], *, progress: ScanProgress | None = None
) -> ScanReport | None:
    """Index only ``paths`` (files under ``root`` that were added, changed or removed);
    None when a whole-folder scan is needed instead (a folder appeared or vanished)."""
    root = root.resolve()
    files: list[Path] = []
    gone: list[Path] = []
    known: dict[str, int] | None = None
    for path in sorted(set(paths)):
        if path.is_dir():
            return None  # a folder moved or copied in: its files were not all reported
        if path.exists():
            if is_audio_name(path) and path.is_file():
                files.append(path.resolve())
            continue
        if is_audio_name(path):
            gone.append(path)
            continue
        known = catalog.track_paths() if known is None else known
        prefix = f"{path}/"
        if any(p.startswith(prefix) for p in known):
            return None  # a folder holding tracks vanished (or was moved away)
    from ..library.covers import FolderCovers  # tag readers: imported in the indexing thread
    from ..library.scanner import ScanReport, index_file

    report = ScanReport()
    covers = FolderCovers()
    for i, path in enumerate(files):
        if progress is not None:
            progress(i, len(files), path)
        index_file(catalog, path, root=root, report=report, covers=covers)
    for path in gone:
        record = catalog.find_by_path(str(path))
        if record is not None:
            catalog.remove_track(record.id)
            report.removed.append(record.id)
    if progress is not None:
        progress(len(files), len(files), root)
    return report


def _interesting(_change: object, path: str) -> bool:
    name = Path(path).name
    return not name.startswith(".") and not name.endswith(".part")


async def watch_folder(
    root: Path, on_changes: OnChanges, *, quiet_s: float, stop: asyncio.Event,
    ready: asyncio.Event | None = None,
) -> None:  # fmt: skip
    """Call ``on_changes(paths)`` for each debounced batch of changes under ``root`` until
    ``stop`` is set; ``ready`` is set once changes are being recorded. A folder that does
    not exist is logged and not watched."""
    if not root.is_dir():
        log.warning("library folder %s does not exist: not watching it", root)
        return
    step_ms = max(1, round(quiet_s * 1000))
    batches = awatch(
        root, watch_filter=_interesting, debounce=max(1600, 4 * step_ms), step=step_ms,
        stop_event=stop, recursive=True, ignore_permission_denied=True,
    )  # fmt: skip
    while True:
        pending = asyncio.ensure_future(anext(batches))
        if ready is not None and not ready.is_set():
            await asyncio.sleep(0)  # the watch is set up before the generator's first wait
            ready.set()
        try:
            changes = await pending
        except StopAsyncIteration:
            return
        paths = {Path(path) for _, path in changes}
        log.info("library folder changed: %d paths", len(paths))
        try:
            await on_changes(paths)
        except Exception:  # a failed pass must not stop the watching
            log.exception("incremental library scan failed")


async def rescan_periodically(
    rescan: Callable[[], Awaitable[object]], *, interval_s: float
) -> None:
    """Scan the whole folder every ``interval_s`` (the watcher's fallback)."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await rescan()
        except Exception:
            log.exception("periodic library scan failed")
