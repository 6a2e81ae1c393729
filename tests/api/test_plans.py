"""The server plans the default preset for every track in the background after start-up."""

from __future__ import annotations

import asyncio

from masterstream.api import create_app

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


async def test_background_planning_can_be_turned_off(settings):
    app = create_app(settings, make_options(prepare_plans=False))
    async for _client in open_client(app):
        await asyncio.sleep(0.3)
        assert app.state.ms.engine.plans.computed == 0
