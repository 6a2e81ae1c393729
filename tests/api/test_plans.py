"""The server plans every mastered preset (or those of ``plan_presets``) for every track in
the background after start-up, so neither a first play nor a preset switch waits for one."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from masterstream.api import create_app
from masterstream.config import Settings
from masterstream.mastering.presets import mastered_preset_names
from masterstream.service.engine import Engine
from tests.conftest import write_tone

from .conftest import make_options, open_client


def all_planned(engine, presets) -> bool:
    records = engine.library.records()
    return all(engine.plans.cached(r, p) is not None for r in records for p in presets)


async def test_every_mastered_preset_is_planned_in_the_background(settings):
    app = create_app(settings, make_options())
    async for client in open_client(app):
        engine = app.state.ms.engine
        for _ in range(400):
            if all_planned(engine, mastered_preset_names()):
                break
            await asyncio.sleep(0.05)
        assert all_planned(engine, mastered_preset_names())
        computed = engine.plans.computed
        track = engine.library.records()[0].id
        for preset in ("adaptive", "punchy"):  # a first play, then a switch of preset
            response = await client.get(f"/api/tracks/{track}/chunks/0?preset={preset}")
            assert response.status_code == 200 and response.headers["x-cache-source"] == "miss"
        assert engine.plans.computed == computed


async def test_plan_presets_chooses_what_is_planned(settings):
    app = create_app(settings.with_overrides(plan_presets=("warm",)), make_options())
    async for _client in open_client(app):
        engine = app.state.ms.engine
        for _ in range(400):
            if all_planned(engine, ("warm",)) and not engine._background:
                break
            await asyncio.sleep(0.05)
        assert all_planned(engine, ("warm",))
        assert engine.plans.computed == len(engine.library)  # warm only


def test_plan_presets_must_name_mastered_presets():
    with pytest.raises(ValueError, match=r"plan_presets must name mastered presets.*'loud'"):
        Settings(plan_presets=("warm", "loud"))
    with pytest.raises(ValueError, match="'original'"):
        Settings(plan_presets=("original",))  # it needs no plan: refusing it says so
    assert Settings(plan_presets=()).effective_plan_presets == ()


@pytest.mark.parametrize(
    ("prepare_plans", "scheduled"), [(False, []), (True, [mastered_preset_names()] * 2)]
)
async def test_background_planning_can_be_turned_off(
    tmp_path, settings, monkeypatch, prepare_plans, scheduled
):
    """Neither start-up nor a scan that adds a track schedules planning when it is off (and
    both do when it is on: the same test with the option flipped is the control)."""
    calls: list[tuple[str, ...]] = []
    monkeypatch.setattr(
        Engine, "plan_in_background", lambda _engine, presets: calls.append(presets)
    )
    library = tmp_path / "music"
    shutil.copytree(settings.library_dir, library)
    options = make_options(prepare_plans=prepare_plans)
    app = create_app(settings.with_overrides(library_dir=library), options)
    async for client in open_client(app):
        write_tone(library / "c-late.wav", duration_s=1.5)
        assert (await client.post("/api/library/scan")).json()["added"] == 1
        assert calls == scheduled
        assert app.state.ms.engine.plans.computed == 0
