"""The library scan through the API: GET /api/library/status, the ``library_scan`` topic on
/ws, the health check, and the folder watcher (added, changed, moved, removed files)."""

from __future__ import annotations

import asyncio
import os
import shutil

import httpx
import numpy as np
import pytest
from websockets.asyncio.client import connect

from masterstream.api import create_app
from tests.api.conftest import make_options, open_client, serve_in_process
from tests.conftest import write_tone
from tests.live_feed import receive_until, send

pytestmark = pytest.mark.timeout(90)


def library_with_a_bad_file(tmp_path, settings):
    library = tmp_path / "music"
    shutil.copytree(settings.library_dir, library)
    (library / "junk.wav").write_bytes(np.random.default_rng(2).bytes(5000))
    return library


async def wait_for(client, predicate, what: str, timeout_s: float = 30.0) -> dict:
    status: dict = {}
    for _ in range(int(timeout_s / 0.05)):
        status = (await client.get("/api/library/status")).json()
        if predicate(status):
            return status
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} did not happen: {status}")


def idle(status: dict) -> bool:
    return status["scans"] >= 1 and status["phase"] == "idle"


async def test_status_reports_phases_counts_and_skipped_files(tmp_path, settings):
    library = library_with_a_bad_file(tmp_path, settings)
    app = create_app(settings.with_overrides(library_dir=library, watch_library=False),
                     make_options(prepare_library=False))  # fmt: skip
    async for client in open_client(app):
        health = await client.get("/api/health")
        scan_check = health.json()["checks"]["library:scan"][0]
        assert scan_check["status"] == "pass" and scan_check["output"]
        assert (await client.get("/readyz")).status_code == 200  # catalog open: ready
        status = await wait_for(client, idle, "the first scan")
        assert status["files_seen"] == status["files_indexed"] == 3
        assert status["files_analysed"] == 2 and status["eta_s"] is None
        assert status["started_at"] and status["finished_at"]
        assert status["skipped"] == [
            {"path": str((library / "junk.wav").resolve()), "phase": "indexing",
             "reason": status["skipped"][0]["reason"]}
        ]  # fmt: skip
        assert "decodable" in status["skipped"][0]["reason"]
        assert len((await client.get("/api/tracks")).json()["items"]) == 2
        health = (await client.get("/api/health")).json()
        assert health["checks"]["library:scan"][0]["observedValue"] == "idle"
        assert "1 files skipped" in health["checks"]["library:scan"][0]["output"]


async def test_library_scan_topic_streams_progress_of_a_forced_scan(tmp_path, settings):
    library = tmp_path / "music"
    shutil.copytree(settings.library_dir, library)
    app = create_app(settings.with_overrides(library_dir=library, watch_library=False),
                     make_options())  # fmt: skip
    async with serve_in_process(app) as address, connect(f"ws://{address}/ws") as ws:
        await send(ws, "subscribe", topics=["library_scan"])
        snapshot = await receive_until(ws, "snapshot")
        assert snapshot["data"]["library_scan"]["phase"] == "idle"
        write_tone(library / "late.wav", duration_s=1.5)
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            report = (await http.post("/api/library/scan")).json()
        assert report["added"] == 1 and report["tracks"] == 3
        phases = []
        while not phases or phases[-1] != "idle":
            phases.append((await receive_until(ws, "library_scan"))["data"]["phase"])
        assert phases[0] == "indexing" and {"analysing", "planning"} & set(phases)
        status = app.state.ms.engine.scanner.status.to_dict()
        assert status["files_analysed"] == 1 and status["last_report"]["added"] == 1


async def listed_until(client, predicate, what: str) -> dict[str, dict]:
    listed: dict[str, dict] = {}
    for _ in range(400):
        listed = {i["title"]: i for i in (await client.get("/api/tracks")).json()["items"]}
        if predicate(listed):
            return listed
        await asyncio.sleep(0.05)
    raise AssertionError(f"the watcher did not notice {what}: {sorted(listed)}")


async def test_the_watcher_picks_up_added_changed_moved_and_removed_files(tmp_path, settings):
    library = tmp_path / "music"
    shutil.copytree(settings.library_dir, library)
    watched = settings.with_overrides(library_dir=library, watch_library=True, watch_quiet_s=0.2)
    app = create_app(watched, make_options())
    async for client in open_client(app):
        await asyncio.wait_for(app.state.ms.engine.scanner.watching.wait(), 10)
        write_tone(library / "added.wav", duration_s=1.5)
        listed = await listed_until(client, lambda t: "added" in t, "an added file")
        old_duration_s = listed["a-stereo"]["duration_s"]
        url = f"/api/tracks/{listed['a-stereo']['id']}/chunks/0"
        old = await client.get(url, params={"preset": "original"})

        write_tone(library / "a-stereo.wav", duration_s=2.5, frequency_hz=660.0)
        os.utime(library / "a-stereo.wav", ns=(1, 1))
        changed = lambda t, d=old_duration_s: t["a-stereo"]["duration_s"] != d  # noqa: E731
        await listed_until(client, changed, "a change")
        new = await client.get(url, params={"preset": "original"})
        assert new.status_code == 200 and new.headers["x-cache-source"] == "miss"
        assert new.content != old.content and new.headers["etag"] != old.headers["etag"]

        (library / "sub").mkdir()
        (library / "added.wav").rename(library / "sub" / "moved.wav")
        await listed_until(client, lambda t: "moved" in t and "added" not in t, "a moved file")
        (library / "b-mono.flac").unlink()
        listed = await listed_until(client, lambda t: "b-mono" not in t, "a removed file")
        assert sorted(listed) == ["a-stereo", "moved"]
