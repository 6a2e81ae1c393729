"""``masterstream serve`` on a folder of 2,000 small files: it answers at once and lists
tracks while the background scan runs; skipped files are reported in the status and the log."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile as sf
from tests.e2e.server_process import ServerProcess

pytestmark = pytest.mark.timeout(180)
FILES = 2000
RATE = 8000


@pytest.fixture(scope="module")
def big_library(tmp_path_factory) -> Path:
    """2,000 quarter-second mono WAVs in 40 album folders, and two files that are not audio."""
    root = tmp_path_factory.mktemp("big") / "music"
    t = np.arange(RATE // 4) / RATE
    for i in range(FILES):
        folder = root / f"Artist {i // 200:02d}" / f"Album {i // 50:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        tone = 0.3 * np.sin(2 * np.pi * (200.0 + i) * t)
        sf.write(folder / f"{i % 50 + 1:02d} - Song {i:04d}.wav", tone, RATE, subtype="PCM_16")
    (root / "Artist 00" / "notes.mp3").write_bytes(b"ID3 this is not an mp3 at all" * 20)
    (root / "Artist 01" / "empty.flac").write_bytes(b"")
    return root


def startup_seconds(log: str) -> float:
    """Seconds from uvicorn's "Started server process" to "Uvicorn running", from the log."""

    def stamp(marker: str) -> datetime:
        line = next(line for line in log.splitlines() if marker in line)
        return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")

    return (stamp("Uvicorn running on") - stamp("Started server process")).total_seconds()


def empty_library_startup_s(tmp_path: Path) -> float:
    """The anchor: start-up seconds of a server on an empty folder, on this machine now."""
    (tmp_path / "empty").mkdir()
    anchor = ServerProcess(
        tmp_path, "--library", str(tmp_path / "empty"), "--data-dir", str(tmp_path / "d0"),
        "--cache-dir", str(tmp_path / "c0"),
    )  # fmt: skip
    anchor.launch()
    try:
        anchor.wait_ready(120.0, path="/livez")
    finally:
        anchor.stop()
    return startup_seconds(anchor.log())


def test_serve_answers_at_once_and_lists_tracks_while_scanning(big_library, tmp_path):
    server = ServerProcess(
        tmp_path, "--library", str(big_library), "--data-dir", str(tmp_path / "data"),
        "--cache-dir", str(tmp_path / "cache"),
    )  # fmt: skip
    anchor_s = empty_library_startup_s(tmp_path)  # the same start-up with no files at all
    server.launch()
    try:
        server.wait_ready(120.0, path="/livez")
        # from the application's start-up to serving: under 2 s whatever the library's size
        # (on a loaded machine, no slower than with an empty library; the interpreter's own
        # start before it depends on the machine's load, not on the library)
        startup_s = startup_seconds(server.log())
        assert startup_s < max(2.0, anchor_s + 1.0), (
            f"start-up took {startup_s:.2f} s (empty library: {anchor_s:.2f} s):\n{server.log()}"
        )
        seen_while_scanning = []
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                status = http.get("/api/library/status").json()
                listed = http.get("/api/tracks", params={"limit": 10}).json()
                if status["phase"] in ("indexing", "analysing") and listed["items"]:
                    seen_while_scanning.append((status["phase"], listed["total"]))
                    if status["phase"] == "indexing" or len(seen_while_scanning) >= 3:
                        break
                time.sleep(0.05)
            assert seen_while_scanning, "no track was listed while the scan ran"
            assert http.get("/readyz").status_code == 200
            health = http.get("/api/health").json()
            assert health["checks"]["library:scan"][0]["status"] == "pass"

            status = server.wait_for_library(90.0)
            assert status["files_seen"] == FILES + 2 and status["files_indexed"] == FILES + 2
            assert http.get("/api/tracks", params={"limit": 1}).json()["total"] == FILES
            skipped = {Path(s["path"]).name: s["reason"] for s in status["skipped"]}
            assert sorted(skipped) == ["empty.flac", "notes.mp3"] and all(skipped.values())
    finally:
        server.stop()
    log = server.log()
    assert "skipped " in log and "notes.mp3" in log and "empty.flac" in log
    assert "Traceback" not in log
