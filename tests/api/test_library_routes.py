"""POST /api/library/scan: changed files get new signatures; old chunks are never served."""

from __future__ import annotations

import os
import shutil
import time

import numpy as np
import pytest

from tests.conftest import write_tone


async def test_rescan_after_a_file_changes(tmp_path, settings):
    from masterstream.api import create_app
    from tests.api.conftest import make_options, open_client

    library = tmp_path / "music"
    shutil.copytree(settings.library_dir, library)
    app = create_app(settings.with_overrides(library_dir=library), make_options())
    async for client in open_client(app):
        items = (await client.get("/api/tracks")).json()["items"]
        track = next(i for i in items if i["title"] == "a-stereo")
        url = f"/api/tracks/{track['id']}/chunks/0"
        old = await client.get(url, params={"preset": "original"})
        assert (await client.get(url, params={"preset": "original"})).headers[
            "x-cache-source"
        ] == "tier1"

        path = library / "a-stereo.wav"
        write_tone(path, duration_s=3.5, frequency_hz=330.0)
        os.utime(path, ns=(1, 1))  # a different mtime for sure
        write_tone(library / "c-new.wav", duration_s=1.5)
        report = (await client.post("/api/library/scan")).json()
        assert report["updated"] == 1 and report["added"] == 1 and report["tracks"] == 3
        assert report["cleared_entries"] >= 1

        new = await client.get(url, params={"preset": "original"})
        assert new.headers["x-cache-source"] == "miss"
        assert new.content != old.content and new.headers["etag"] != old.headers["etag"]


async def test_tracks_added_by_a_scan_are_planned_in_the_background(tmp_path, settings):
    import asyncio

    from masterstream.api import create_app
    from tests.api.conftest import make_options, open_client

    library = tmp_path / "music"
    shutil.copytree(settings.library_dir, library)
    app = create_app(settings.with_overrides(library_dir=library), make_options())
    async for client in open_client(app):
        write_tone(library / "d-late.wav", duration_s=1.5)
        assert (await client.post("/api/library/scan")).json()["added"] == 1
        engine = app.state.ms.engine
        late = next(r for r in engine.library.records() if r.path.endswith("d-late.wav"))
        for _ in range(200):
            if engine.plans.cached(late, "adaptive") is not None:
                break
            await asyncio.sleep(0.05)
        assert engine.plans.cached(late, "adaptive") is not None


async def _library_client(tmp_path, settings):
    from masterstream.api import create_app
    from tests.api.conftest import make_options, open_client

    library = tmp_path / "music"
    shutil.copytree(settings.library_dir, library)
    app = create_app(settings.with_overrides(library_dir=library), make_options())
    return library, app, open_client(app)


@pytest.mark.parametrize("damage", ["random-bytes", "empty"])
async def test_a_file_that_becomes_undecodable_is_removed_and_its_chunks_purged(
    tmp_path, settings, damage
):
    library, app, clients = await _library_client(tmp_path, settings)
    async for client in clients:
        items = (await client.get("/api/tracks")).json()["items"]
        track = next(i for i in items if i["title"] == "a-stereo")
        url = f"/api/tracks/{track['id']}/chunks/0"
        assert (await client.get(url, params={"preset": "original"})).status_code == 200
        cached = await client.get(url, params={"preset": "original"})
        assert cached.headers["x-cache-source"] == "tier1"

        path = library / "a-stereo.wav"
        size = path.stat().st_size
        path.write_bytes(np.random.default_rng(5).bytes(size) if damage == "random-bytes" else b"")
        report = (await client.post("/api/library/scan")).json()
        assert report["removed"] == 1 and report["updated"] == 0 and report["tracks"] == 1
        assert report["cleared_entries"] >= 1
        assert [s["path"] for s in report["skipped"]] == [str(path.resolve())]

        gone = await client.get(url, params={"preset": "original"})
        assert gone.status_code == 404 and gone.json()["type"].endswith("/track-not-found")
        listed = [i["id"] for i in (await client.get("/api/tracks")).json()["items"]]
        assert track["id"] not in listed
        assert app.state.ms.engine.cache.tier1.stats().chunks == 0
        again = (await client.post("/api/library/scan")).json()
        assert again["removed"] == 0 and len(again["skipped"]) == 1  # reported, no churn


async def test_new_bytes_under_the_old_size_and_mtime_never_reuse_the_old_key(tmp_path, settings):
    library, _, clients = await _library_client(tmp_path, settings)
    async for client in clients:
        items = (await client.get("/api/tracks")).json()["items"]
        track = next(i for i in items if i["title"] == "a-stereo")
        url = f"/api/tracks/{track['id']}"
        old = await client.get(f"{url}/chunks/0", params={"preset": "original"})

        path = library / "a-stereo.wav"
        before = path.stat()
        time.sleep(0.05)  # past the file system's timestamp granularity
        write_tone(path, duration_s=3.5, frequency_hz=330.0)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as backup tools do
        assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size,
                                                                  before.st_mtime_ns)  # fmt: skip
        uncached = await client.get(f"{url}/chunks/1", params={"preset": "original"})
        assert uncached.status_code == 503  # rendering new bytes under the old key: refused
        assert "rescan" in uncached.json()["detail"]

        report = (await client.post("/api/library/scan")).json()
        assert report["updated"] == 1 and report["cleared_entries"] >= 1
        new = await client.get(f"{url}/chunks/0", params={"preset": "original"})
        assert new.status_code == 200 and new.headers["x-cache-source"] == "miss"
        assert new.content != old.content and new.headers["etag"] != old.headers["etag"]
