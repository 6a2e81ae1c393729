"""Opus and MP3 through the server: chunks encoded once and cached per format and bitrate,
bitrates validated, whole-track streams that decode to the track's exact length, MP3
seekable by Range, loudness and true peak kept after decoding (ffmpeg as the meter)."""

from __future__ import annotations

import pytest

from tests.audio.lossy_checks import ebur128, ffmpeg_decode, needs_ffmpeg

pytestmark = needs_ffmpeg


def chunk_url(track_id: int, k: int) -> str:
    return f"/api/tracks/{track_id}/chunks/{k}"


def stream_url(track_id: int) -> str:
    return f"/api/tracks/{track_id}/stream"


async def test_formats_lists_bitrates_media_types_and_seekability(client):
    formats = {f["name"]: f for f in (await client.get("/api/formats")).json()["formats"]}
    assert formats["opus"]["bitrates_kbps"] == [64, 96, 128, 160, 192, 256]
    assert formats["opus"]["default_bitrate_kbps"] == 128
    assert formats["mp3"]["default_bitrate_kbps"] == 192
    assert formats["mp3"]["media_type"] == "audio/mpeg"
    assert formats["mp3"]["seekable_by_range"] and formats["wav"]["seekable_by_range"]
    assert not formats["opus"]["seekable_by_range"] and formats["flac"]["stream"]
    seekable = {name: f["range_seekable"] for name, f in formats.items()}
    assert seekable == {"wav": "always", "flac": "never", "mp3": "always", "opus": "when_cached"}


@pytest.mark.parametrize(("fmt", "media"), [("opus", "audio/ogg; codecs=opus"),
                                            ("mp3", "audio/mpeg")])  # fmt: skip
async def test_lossy_chunks_are_encoded_once_and_cached_per_bitrate(client, app, tracks, fmt,
                                                                   media):  # fmt: skip
    track_id = tracks["a-stereo"]["id"]
    params = {"preset": "warm", "format": fmt}
    first = await client.get(chunk_url(track_id, 1), params=params)
    assert first.status_code == 200 and first.headers["content-type"] == media
    assert first.headers["x-cache-source"] == "miss"
    again = await client.get(chunk_url(track_id, 1), params=params)
    assert again.headers["x-cache-source"] == "tier1" and again.content == first.content
    low = {"preset": "warm", "format": fmt, "bitrate": "128" if fmt == "mp3" else "64"}
    other = await client.get(chunk_url(track_id, 1), params=low)
    assert other.headers["x-cache-source"] == "miss" and other.content != first.content
    wav = await client.get(chunk_url(track_id, 1), params={"preset": "warm"})
    assert len(first.content) < len(wav.content) / 3  # the tiers count real (smaller) bytes


@pytest.mark.parametrize(
    ("params", "slug"),
    [
        ({"format": "opus", "bitrate": "100"}, "unsupported-bitrate"),
        ({"format": "mp3", "bitrate": "64"}, "unsupported-bitrate"),
        ({"format": "wav", "bitrate": "128"}, "validation-error"),
        ({"format": "mp3", "bitrate": "1e3"}, "validation-error"),
    ],
)
async def test_bad_bitrates_are_422_problems(client, tracks, params, slug):
    for url in (chunk_url(tracks["a-stereo"]["id"], 0), stream_url(tracks["a-stereo"]["id"])):
        response = await client.get(url, params=params)
        assert response.status_code == 422, url
        problem = response.json()
        assert problem["type"].endswith(slug), problem
        if slug == "unsupported-bitrate":
            assert problem["valid_bitrates_kbps"] and "allowed" in problem["detail"]


async def test_mp3_stream_has_an_exact_length_seeks_by_range_and_decodes_whole(
    client, tracks, tmp_path
):
    track = tracks["a-stereo"]
    params = {"preset": "bright", "format": "mp3"}
    whole = await client.get(stream_url(track["id"]), params=params)
    assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
    assert int(whole.headers["content-length"]) == len(whole.content)
    decoded, rate = ffmpeg_decode(whole.content, tmp_path / "whole.mp3", 2)
    assert rate == 44100 and decoded.shape[0] == round(3.5 * 44100)  # gapless: exact length
    first, last = len(whole.content) // 3, 2 * len(whole.content) // 3
    part = await client.get(stream_url(track["id"]), params=params,
                            headers={"Range": f"bytes={first}-{last}"})  # fmt: skip
    assert part.status_code == 206
    assert part.content == whole.content[first : last + 1]


async def test_opus_stream_plays_whole_with_its_duration(client, tracks, tmp_path):
    track = tracks["b-mono"]
    response = await client.get(stream_url(track["id"]), params={"format": "opus"})
    assert response.status_code == 200 and response.headers["accept-ranges"] == "none"
    assert float(response.headers["x-content-duration"]) == pytest.approx(2.2, abs=0.001)
    decoded, rate = ffmpeg_decode(response.content, tmp_path / "whole.opus", 1)
    assert rate == 48000 and decoded.shape[0] == round(2.2 * 48000)
    chunks = [
        (await client.get(chunk_url(track["id"], k), params={"format": "opus"})).content
        for k in range(track["chunk_count"])
    ]
    assert response.content.endswith(b"".join(chunks))  # the stream is its cached chunks


@pytest.mark.parametrize(("fmt", "bitrate"), [("mp3", "192"), ("opus", "128")])
async def test_decoded_lossy_stream_keeps_loudness_and_the_ceiling(
    client, tracks, tmp_path, fmt, bitrate
):
    track = tracks["a-stereo"]
    params = {"preset": "punchy"}
    wav = await client.get(stream_url(track["id"]), params=params)
    (tmp_path / "master.wav").write_bytes(wav.content)
    lossy = await client.get(stream_url(track["id"]),
                             params={**params, "format": fmt, "bitrate": bitrate})  # fmt: skip
    (tmp_path / f"master.{fmt}").write_bytes(lossy.content)
    wav_lufs, _ = ebur128(tmp_path / "master.wav")
    lossy_lufs, lossy_peak = ebur128(tmp_path / f"master.{fmt}")
    assert lossy_lufs == pytest.approx(wav_lufs, abs=0.3)
    assert lossy_peak <= -1.0  # the preset's ceiling holds after decoding
