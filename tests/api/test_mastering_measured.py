"""The Mastering view's mastered figures are measured in the background: the first answer
says ``measuring``, a later one carries figures that agree with ffmpeg's ebur128 and a
NumPy crest factor on the whole ``/stream`` decoded by ffmpeg; they are kept in a bounded
LRU, and a variant that cannot be measured keeps the plan's estimates."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from masterstream.api import create_app
from masterstream.service.request import Variant
from tests.audio.lossy_checks import ffmpeg_decode
from tests.conftest import write_tone
from tests.mastering.ebur128_summary import assert_measures_like

from .conftest import make_options, open_client

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")
MEASURE_TIMEOUT_S = 120.0


async def until_measured(client, url: str, params: dict) -> list[dict]:
    """Every answer, asking again while ``measuring`` (the panel's polling)."""
    answers = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MEASURE_TIMEOUT_S
    while True:
        response = await client.get(url, params=params)
        assert response.status_code == 200, response.text
        answers.append(response.json())
        if not answers[-1]["measuring"] or loop.time() > deadline:
            return answers
        await asyncio.sleep(0.2)


@pytest.mark.parametrize(
    ("preset", "intensity", "loudness"),
    [("punchy", 1.0, "track"), ("gentle", 0.5, "track"), ("warm", 0.8, "album")],
)
async def test_measured_figures_agree_with_ffmpeg_on_the_stream(
    demo_client, tmp_path, preset, intensity, loudness
):
    client, app = demo_client
    track = (await client.get("/api/tracks")).json()["items"][1]
    params = {"preset": preset, "intensity": intensity, "loudness": loudness}
    engine = app.state.ms.engine
    variant = Variant.of(preset, intensity, loudness)
    token = engine.mastered.token(engine.library.get(track["id"]), variant)
    assert token.startswith(loudness)  # album mode: the album's plan (its demo album)
    answers = await until_measured(client, f"/api/tracks/{track['id']}/mastering", params)
    first, last = answers[0], answers[-1]
    assert first["measuring"] is True and first["after"]["loudness_range_lu"] is None
    assert any("being measured" in note for note in first["notes"])
    assert last["measuring"] is False, "not measured in time"
    after = last["after"]
    assert after["estimated"] == [] and None not in after.values()
    assert not any("measured" in note or "not hold" in note for note in last["notes"])
    assert last["level_match"] == first["level_match"]  # the plan's: stable for the player
    assert last["level_match"]["mastered_lufs"] == pytest.approx(after["integrated_lufs"], abs=0.5)
    assert app.state.ms.engine.mastered.measured == 1

    stream = await client.get(
        f"/api/tracks/{track['id']}/stream", params={**params, "format": "wav"}
    )
    assert stream.status_code == 200, stream.text
    audio, rate = ffmpeg_decode(stream.content, tmp_path / "stream.wav", track["channels"])
    assert audio.shape[0] == pytest.approx(track["duration_s"] * rate, abs=1)
    assert_measures_like(after, audio, rate, tmp_path / "decoded.wav")


async def test_original_and_intensity_zero_are_not_measured(demo_client):
    client, app = demo_client
    track = (await client.get("/api/tracks")).json()["items"][0]
    for params in ({"preset": "original"}, {"preset": "warm", "intensity": 0}):
        view = (await client.get(f"/api/tracks/{track['id']}/mastering", params=params)).json()
        assert view["measuring"] is False and view["after"] == view["before"]
    assert app.state.ms.engine.mastered.measured == 0


async def test_figures_are_kept_in_a_bounded_lru(client, tracks, app):
    figures = app.state.ms.engine.mastered
    figures.kept = 1
    url = f"/api/tracks/{tracks['a-stereo']['id']}/mastering"
    for preset in ("punchy", "warm"):
        assert (await client.get(url, params={"preset": preset})).json()["measuring"] is True
        await figures.wait()
        assert (await client.get(url, params={"preset": preset})).json()["measuring"] is False
    assert len(figures) == 1 and figures.measured == 2
    assert (await client.get(url, params={"preset": "punchy"})).json()["measuring"] is True


async def test_a_source_gone_before_measuring_leaves_the_estimates(settings, tmp_path):
    library = tmp_path / "library"
    library.mkdir()
    write_tone(library / "tone.wav", duration_s=3.0, sample_rate=44100, channels=2)
    app = create_app(settings.with_overrides(library_dir=library), make_options())
    async for client in open_client(app):
        track_id = (await client.get("/api/tracks")).json()["items"][0]["id"]
        url = f"/api/tracks/{track_id}/mastering"
        planned = await client.get(url, params={"preset": "warm", "intensity": 0})
        assert planned.json()["measuring"] is False  # planned, nothing to measure at 0
        (library / "tone.wav").unlink()
        assert (await client.get(url, params={"preset": "warm"})).json()["measuring"] is True
        await app.state.ms.engine.mastered.wait()
        view = (await client.get(url, params={"preset": "warm"})).json()
        assert view["measuring"] is False and "true_peak_dbtp" in view["after"]["estimated"]
        assert any("could not be measured" in note for note in view["notes"])
        assert app.state.ms.engine.mastered.measured == 0
