"""``GET /api/tracks/{id}/mastering`` against the audio the server actually renders.

The EQ curve is checked by filtering sines through the plan's EQ in the time domain; the
level match by measuring the rendered original and master with pyloudnorm (an independent
meter): the original played with ``original_gain_db`` must be as loud as the master.
"""

from __future__ import annotations

import io
import itertools
import math

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf
from scipy import signal

from masterstream.mastering.filters import apply_sos, chain_sos
from masterstream.mastering.presets import PRESET_NAMES

LEVEL_MATCH_TOLERANCE_LU = 0.5


async def whole_track(client, track: dict, preset: str, intensity: float) -> np.ndarray:
    """The track as the server renders it, chunk by chunk, as float64 (frames, channels)."""
    parts = []
    for k in range(track["chunk_count"]):
        response = await client.get(
            f"/api/tracks/{track['id']}/chunks/{k}",
            params={"preset": preset, "intensity": intensity, "format": "wav"},
        )
        assert response.status_code == 200, response.text
        parts.append(sf.read(io.BytesIO(response.content), dtype="float64", always_2d=True)[0])
    return np.concatenate(parts)


def loudness(audio: np.ndarray, sample_rate: int) -> float:
    return float(pyloudnorm.Meter(sample_rate).integrated_loudness(audio))


def true_peak_dbtp(audio: np.ndarray) -> float:
    oversampled = signal.resample_poly(audio, 4, 1, axis=0)
    return 20 * math.log10(float(np.max(np.abs(oversampled))))


async def test_level_match_makes_the_original_as_loud_as_the_master(demo_client):
    client, _app = demo_client
    track = (await client.get("/api/tracks")).json()["items"][1]
    rate = track["sample_rate"]
    original = await whole_track(client, track, "original", 1.0)
    for preset, intensity in (("warm", 1.0), ("punchy", 0.5), ("gentle", 0.3)):
        params = {"preset": preset, "intensity": intensity}
        view = (await client.get(f"/api/tracks/{track['id']}/mastering", params=params)).json()
        match = view["level_match"]
        mastered = await whole_track(client, track, preset, intensity)
        assert match["original_lufs"] == pytest.approx(loudness(original, rate), abs=0.3)
        assert match["mastered_lufs"] == pytest.approx(
            loudness(mastered, rate), abs=LEVEL_MATCH_TOLERANCE_LU
        )
        matched = original * 10 ** (match["original_gain_db"] / 20)
        assert loudness(matched, rate) == pytest.approx(
            loudness(mastered, rate), abs=LEVEL_MATCH_TOLERANCE_LU
        ), (preset, intensity)
        assert true_peak_dbtp(mastered) <= view["after"]["true_peak_dbtp"] + 0.1
        assert view["after"]["loudness_range_lu"] is None
        assert any("loudness range" in note for note in view["notes"])
        assert view["before"]["loudness_range_lu"] == pytest.approx(
            (await client.get(f"/api/tracks/{track['id']}")).json()["data"]["fingerprint"][
                "loudness_range_lu"
            ]
        )


async def test_eq_curve_is_what_the_plan_eq_does_to_a_sine(client, tracks, app):
    track = tracks["a-stereo"]
    response = await client.get(f"/api/tracks/{track['id']}/mastering",
                                params={"preset": "warm", "intensity": 0.6})  # fmt: skip
    assert response.status_code == 200, response.text
    view = response.json()
    engine = app.state.ms.engine
    plan = engine.plans.cached(engine.library.get(track["id"]), "warm")
    assert [b["frequency_hz"] for b in view["eq_bands"]] == [b.frequency_hz for b in plan.eq]
    rate = plan.sample_rate
    t = np.arange(rate * 2) / rate
    points = view["eq_curve"]
    assert points[0]["frequency_hz"] == pytest.approx(20.0)
    for point in points[::12]:
        tone = np.sin(2 * np.pi * point["frequency_hz"] * t)[:, None]
        filtered = apply_sos(chain_sos(plan.eq, rate), tone)[:, 0]
        steady = slice(rate, None)  # after the filters settle
        gain_db = 20 * math.log10(np.std(filtered[steady]) / np.std(tone[steady, 0]))
        blended = 0.4 * tone[steady, 0] + 0.6 * filtered[steady]
        blended_db = 20 * math.log10(np.std(blended) / np.std(tone[steady, 0]))
        assert point["gain_db"] == pytest.approx(gain_db, abs=0.05), point
        assert point["blended_gain_db"] == pytest.approx(blended_db, abs=0.05), point
    shelf_low = next(p for p in points if p["frequency_hz"] > 100)
    shelf_high = next(p for p in points if p["frequency_hz"] > 12000)
    assert shelf_low["gain_db"] > 1.5 and shelf_high["gain_db"] < -2.0  # warm: fuller, softer


async def test_plan_is_computed_once_then_reused(client, tracks):
    track_id = tracks["b-mono"]["id"]
    url = f"/api/tracks/{track_id}/mastering"
    first = (await client.get(url, params={"preset": "bright"})).json()
    second = (await client.get(url, params={"preset": "bright"})).json()
    assert first["planned_now"] is True and second["planned_now"] is False
    assert first["loudness_gain_db"] == second["loudness_gain_db"]
    assert second["limiter"]["ceiling_dbtp"] < -1.0
    assert second["compressor"]["ratio"] == 2.0


async def test_original_is_a_flat_passthrough(client, tracks):
    view = (await client.get(f"/api/tracks/{tracks['a-stereo']['id']}/mastering",
                             params={"preset": "original", "intensity": 0.2})).json()  # fmt: skip
    assert view["passthrough"] is True and view["intensity"] == 1.0
    assert view["eq_bands"] == [] and view["compressor"] is None and view["limiter"] is None
    assert {p["gain_db"] for p in view["eq_curve"]} == {0.0}
    assert view["level_match"]["original_gain_db"] == 0.0
    assert view["after"] == view["before"]


async def test_fingerprint_reads_as_bands_that_tile_the_spectrum(client, tracks):
    view = (await client.get(f"/api/tracks/{tracks['a-stereo']['id']}/mastering")).json()
    bands = view["fingerprint"]["tonal_balance"]
    assert [b["name"] for b in bands][:2] == ["sub", "bass"]
    assert all(a["high_hz"] == b["low_hz"] for a, b in itertools.pairwise(bands))
    assert sum(b["share"] for b in bands) == pytest.approx(1.0, abs=0.02)
    assert view["preset"] == "adaptive"  # the default


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/tracks/999/mastering", {}, 404),
        ("/api/tracks/01/mastering", {}, 422),
        ("/api/tracks/1/mastering", {"preset": "loud"}, 422),
        ("/api/tracks/1/mastering", {"intensity": "2"}, 422),
    ],
)
async def test_bad_requests_are_problems(client, path, params, status):
    response = await client.get(path, params=params)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    if params.get("preset") == "loud":
        assert all(name in response.text for name in PRESET_NAMES)
