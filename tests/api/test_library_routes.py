"""POST /api/library/scan: changed files get new signatures; old chunks are never served."""

from __future__ import annotations

import os
import shutil

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
