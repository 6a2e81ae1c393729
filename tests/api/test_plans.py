"""The server plans the default preset for every track in the background after start-up."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from masterstream.api import create_app
from masterstream.service.engine import Engine
from tests.conftest import write_tone

from .conftest import make_options, open_client


async def test_default_preset_is_planned_in_the_background(settings):
    app = create_app(settings, make_options())
    async for client in open_client(app):
        engine = app.state.ms.engine
        records = engine.library.records()
        for _ in range(200):
            if all(engine.plans.cached(r, "adaptive") is not None for r in records):
                break
            await asyncio.sleep(0.05)
        assert all(engine.plans.cached(r, "adaptive") is not None for r in records)
        computed = engine.plans.computed
        response = await client.get(f"/api/tracks/{records[0].id}/chunks/0")  # adaptive
        assert response.status_code == 200 and response.headers["x-cache-source"] == "miss"
        assert engine.plans.computed == computed


@pytest.mark.parametrize(("prepare_plans", "scheduled"), [(False, []), (True, ["adaptive"] * 2)])
async def test_background_planning_can_be_turned_off(
    tmp_path, settings, monkeypatch, prepare_plans, scheduled
):
    """Neither start-up nor a scan that adds a track schedules planning when it is off (and
    both do when it is on: the same test with the option flipped is the control)."""
    calls: list[str] = []
    monkeypatch.setattr(Engine, "plan_in_background", lambda _engine, preset: calls.append(preset))
    library = tmp_path / "music"
    shutil.copytree(settings.library_dir, library)
    options = make_options(prepare_plans=prepare_plans)
    app = create_app(settings.with_overrides(library_dir=library), options)
    async for client in open_client(app):
        write_tone(library / "c-late.wav", duration_s=1.5)
        assert (await client.post("/api/library/scan")).json()["added"] == 1
        assert calls == scheduled
        assert app.state.ms.engine.plans.computed == 0
