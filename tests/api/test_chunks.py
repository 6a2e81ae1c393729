"""The chunk endpoint: bytes, cache headers, 304, errors as problem details, chunk info."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf

from masterstream.audio.encode import WAV_HEADER_BYTES


def chunk_url(track_id: int, k: int) -> str:
    return f"/api/tracks/{track_id}/chunks/{k}"


async def test_first_request_renders_then_tier1_serves(client, tracks):
    track = tracks["a-stereo"]
    first = await client.get(chunk_url(track["id"], 1), params={"preset": "warm"})
    assert first.status_code == 200
    assert first.headers["content-type"] == "audio/wav"
    assert first.headers["x-cache-source"] == "miss"
    assert first.headers["cache-status"] == "masterstream; fwd=miss; stored"
    assert first.headers["server-timing"].startswith("lookup;dur=")
    assert ", render;dur=" in first.headers["server-timing"]
    assert first.headers["cache-control"] == "no-cache"  # no version token in the URL
    audio, rate = sf.read(io.BytesIO(first.content), dtype="int16", always_2d=True)
    assert rate == 44100 and audio.shape == (44100, 2)

    again = await client.get(chunk_url(track["id"], 1), params={"preset": "warm"})
    assert again.headers["x-cache-source"] == "tier1"
    assert again.headers["cache-status"] == "masterstream; hit; detail=tier1"
    assert again.headers["server-timing"].startswith("lookup;dur=")
    assert "render" not in again.headers["server-timing"]
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]


async def test_original_preset_is_the_source_pcm(client, tracks, tiny_library_dir):
    track = tracks["a-stereo"]
    response = await client.get(chunk_url(track["id"], 3), params={"preset": "original"})
    pcm = np.frombuffer(response.content, dtype="<i2", offset=WAV_HEADER_BYTES).reshape(-1, 2)
    source, _ = sf.read(tiny_library_dir / "a-stereo.wav", dtype="int16")
    np.testing.assert_array_equal(pcm, source[3 * 44100 :])  # the last, shorter chunk


async def test_flac_format(client, tracks):
    track = tracks["b-mono"]
    response = await client.get(chunk_url(track["id"], 0), params={"format": "flac"})
    assert response.headers["content-type"] == "audio/flac"
    audio, rate = sf.read(io.BytesIO(response.content), always_2d=True)
    assert rate == 48000 and audio.shape == (48000, 1)


async def test_if_none_match_gives_304_and_etag_varies_with_the_variant(client, tracks):
    url = chunk_url(tracks["a-stereo"]["id"], 0)
    etag = (await client.get(url, params={"preset": "original"})).headers["etag"]
    cached = await client.get(url, params={"preset": "original"},
                              headers={"If-None-Match": etag})  # fmt: skip
    assert cached.status_code == 304 and cached.content == b""
    assert cached.headers["etag"] == etag
    other = await client.get(url, params={"preset": "bright"}, headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag


@pytest.mark.parametrize(
    ("params", "slug", "field"),
    [
        ({"preset": "nope"}, "unknown-preset", "valid_presets"),
        ({"format": "aac"}, "unsupported-format", "valid_formats"),
        ({"intensity": "1.5"}, "invalid-intensity", "detail"),
        ({"intensity": "loud"}, "invalid-intensity", "detail"),
        ({"intensity": "nan"}, "invalid-intensity", "detail"),
    ],
)
async def test_bad_parameters_are_422_problems(client, tracks, params, slug, field):
    response = await client.get(chunk_url(tracks["a-stereo"]["id"], 0), params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith(slug) and field in problem


async def test_unknown_preset_lists_the_valid_ones(client, tracks):
    problem = (await client.get(chunk_url(tracks["a-stereo"]["id"], 0),
                                params={"preset": "nope"})).json()  # fmt: skip
    assert "adaptive" in problem["valid_presets"] and "adaptive" in problem["detail"]


async def test_chunk_out_of_range_names_the_valid_range(client, tracks):
    track = tracks["b-mono"]
    response = await client.get(chunk_url(track["id"], 3))
    assert response.status_code == 404
    problem = response.json()
    assert problem["valid_range"] == [0, 2] and "0..2" in problem["detail"]
    assert (await client.get(chunk_url(999, 0))).status_code == 404
    not_a_number = await client.get(f"/api/tracks/{track['id']}/chunks/two")
    assert not_a_number.status_code == 422 and "chunk_idx" in not_a_number.json()["detail"]


async def test_missing_source_file_is_503_and_nothing_is_cached(
    client, app, settings, tmp_path, tracks
):
    track = tracks["b-mono"]
    engine = app.state.ms.engine
    record = engine.library.get(track["id"])
    moved = tmp_path / "moved.flac"
    original_path = record.path
    import shutil

    shutil.move(original_path, moved)
    try:
        response = await client.get(chunk_url(track["id"], 0), params={"preset": "warm"})
        assert response.status_code == 503
        assert "missing or unreadable" in response.json()["detail"]
        assert len(engine.cache.tier1) == 0 and len(engine.cache.tier2) == 0
        other = await client.get(chunk_url(tracks["a-stereo"]["id"], 0))
        assert other.status_code == 200  # everything else keeps working
    finally:
        shutil.move(moved, original_path)


async def test_chunk_info_reports_where_the_chunk_is(client, tracks):
    track = tracks["a-stereo"]
    info_url = chunk_url(track["id"], 2) + "/info"
    params = {"preset": "punchy", "intensity": "0.5"}
    before = (await client.get(info_url, params=params)).json()
    assert before["cache_source"] == "miss" and before["cache_hit"] is False
    assert before["data"]["source"] == "miss" and before["data"]["access_count"] == 0
    await client.get(chunk_url(track["id"], 2), params=params)
    after = (await client.get(info_url, params=params)).json()
    assert after["cache_source"] == "tier1"
    assert after["data"] == {**after["data"], "track_id": track["id"], "chunk_index": 2,
                             "preset": "punchy", "intensity": 0.5, "access_count": 1}  # fmt: skip


async def test_versioned_urls_are_immutable_and_others_revalidate(client, tracks):
    track = tracks["a-stereo"]
    version = track["version"]
    url = chunk_url(track["id"], 0)
    pinned = await client.get(url, params={"preset": "original", "v": version})
    assert pinned.headers["cache-control"] == "public, max-age=31536000, immutable"
    stale = await client.get(url, params={"preset": "original", "v": "0" * 12})
    assert stale.headers["cache-control"] == "no-cache"
    assert stale.content == pinned.content and stale.headers["etag"] == pinned.headers["etag"]
    assert tracks["b-mono"]["version"] != version  # another file, another token


async def test_head_gives_the_headers_of_get_without_a_body(client, tracks):
    url = chunk_url(tracks["a-stereo"]["id"], 1)
    got = await client.get(url, params={"preset": "original"})
    head = await client.head(url, params={"preset": "original"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-length"] == str(len(got.content))
    assert head.headers["x-cache-source"] == "tier1"


@pytest.mark.parametrize(
    "raw",
    ["+1", "%201", "1_0", "01", "1.0", "-1", "\uff11", "\u0661", "1%0A", "99999999999999999999"],
)
async def test_one_strict_integer_form_on_every_route(client, tracks, raw):
    track_id = tracks["a-stereo"]["id"]
    for url in (
        f"/api/tracks/{track_id}/chunks/{raw}",
        f"/api/tracks/{track_id}/chunks/{raw}/info",
        f"/api/tracks/{raw}/chunks/0",
        f"/api/tracks/{raw}",
        f"/api/tracks/{raw}/stream",
        f"/api/cache/tracks/{raw}",
    ):
        response = await client.get(url)
        assert response.status_code == 422, (url, response.status_code)
        assert response.headers["content-type"] == "application/problem+json"
