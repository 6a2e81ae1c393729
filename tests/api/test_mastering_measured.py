"""The Mastering view's mastered figures are measured in the background: the first answer
says ``measuring``, a later one carries figures that agree with ffmpeg's ebur128 and a
NumPy crest factor on the whole ``/stream`` decoded by ffmpeg."""

from __future__ import annotations

import asyncio
import shutil

import pytest
import soundfile as sf

from masterstream.api import create_app
from tests.audio.lossy_checks import ffmpeg_decode
from tests.mastering.ebur128_summary import crest_factor_db, ebur128_summary

from .conftest import make_options, open_client

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")
TOLERANCES = {"integrated_lufs": 0.5, "loudness_range_lu": 1.0, "true_peak_dbtp": 0.3}
MEASURE_TIMEOUT_S = 120.0


@pytest.fixture
async def demo_client(settings, demo_library_dir):
    app = create_app(settings.with_overrides(library_dir=demo_library_dir), make_options())
    async for client in open_client(app):
        yield client, app


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


@pytest.mark.parametrize(("preset", "intensity"), [("punchy", 1.0), ("gentle", 0.5)])
async def test_measured_figures_agree_with_ffmpeg_on_the_stream(
    demo_client, tmp_path, preset, intensity
):
    client, app = demo_client
    track = (await client.get("/api/tracks")).json()["items"][1]
    params = {"preset": preset, "intensity": intensity}
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
    decoded = tmp_path / "decoded.wav"
    sf.write(decoded, audio, rate, subtype="FLOAT")
    reference = ebur128_summary(decoded)
    for name, tolerance in TOLERANCES.items():
        assert after[name] == pytest.approx(reference[name], abs=tolerance), name
    assert after["crest_factor_db"] == pytest.approx(crest_factor_db(audio), abs=0.3)


async def test_original_and_intensity_zero_are_not_measured(demo_client):
    client, app = demo_client
    track = (await client.get("/api/tracks")).json()["items"][0]
    for params in ({"preset": "original"}, {"preset": "warm", "intensity": 0}):
        view = (await client.get(f"/api/tracks/{track['id']}/mastering", params=params)).json()
        assert view["measuring"] is False and view["after"] == view["before"]
    assert app.state.ms.engine.mastered.measured == 0
