"""Opus and MP3 chunks as files of their own (``standalone=true``) through the server: each
decodes alone with ffmpeg to exactly its chunk's samples (the encoder delay and padding
trimmed by what the file declares), they are cached apart from the stream's continuation
chunks, and decoded one by one and laid end to end they equal the decoded continuous
stream: no gap, no duplicate, checked at every boundary by cross-correlation."""

from __future__ import annotations

import numpy as np
import pytest

from tests.audio.lossy_checks import best_lag, click_db, ffmpeg_decode, needs_ffmpeg, rms_db

pytestmark = needs_ffmpeg
LAGS = 40  # samples either side; the test tones' periods are > 80 samples at 48 kHz


def chunk_url(track_id: int, k: int) -> str:
    return f"/api/tracks/{track_id}/chunks/{k}"


def grid(frame: int, in_rate: int, out_rate: int) -> int:
    """The first output sample at or after source frame ``frame`` (the stream's grid)."""
    return -(-frame * out_rate // in_rate)


async def test_formats_offer_standalone_chunks(client):
    formats = {f["name"]: f for f in (await client.get("/api/formats")).json()["formats"]}
    assert formats["opus"]["standalone_chunks"] is True
    assert formats["mp3"]["standalone_chunks"] is True


@pytest.mark.parametrize(
    ("name", "fmt", "bitrate", "out_rate"),
    [("a-stereo", "opus", "96", 48000), ("a-stereo", "mp3", "192", 44100),
     ("b-mono", "opus", "128", 48000), ("b-mono", "mp3", "128", 48000)],
)  # fmt: skip
async def test_standalone_chunks_decode_alone_and_join_without_gap(
    client, tracks, tmp_path, name, fmt, bitrate, out_rate
):
    track = tracks[name]
    channels, rate = track["channels"], track["sample_rate"]
    total = round(track["duration_s"] * rate)
    per = round(track["chunk_duration_s"] * rate)
    params = {"preset": "warm", "format": fmt, "bitrate": bitrate}
    pieces, boundaries = [], []
    for k in range(track["chunk_count"]):
        response = await client.get(
            chunk_url(track["id"], k), params={**params, "standalone": "true"}
        )
        assert response.status_code == 200, response.text
        decoded, decoded_rate = ffmpeg_decode(response.content, tmp_path / f"{k}.{fmt}", channels)
        start, stop = k * per, min((k + 1) * per, total)
        assert decoded_rate == out_rate
        assert decoded.shape[0] == grid(stop, rate, out_rate) - grid(start, rate, out_rate)
        boundaries.append(sum(p.shape[0] for p in pieces))
        pieces.append(decoded)
    queued = np.concatenate(pieces)[:, 0]

    stream = await client.get(f"/api/tracks/{track['id']}/stream", params=params)
    continuous = ffmpeg_decode(stream.content, tmp_path / f"whole.{fmt}", channels)[0][:, 0]
    assert queued.shape == continuous.shape
    half = round(0.02 * out_rate)
    signal_db = rms_db(continuous)
    for at in boundaries[1:]:
        window = slice(at - half, at + half)
        # lags within ±40 samples: the tones' periods are over 80 samples at 48 kHz
        assert best_lag(continuous[window], queued[window]) == 0, f"shifted at sample {at}"
        # within the codec's tolerance: the two encodes differ by coding noise only
        assert rms_db(queued[window] - continuous[window]) < signal_db - 40.0
        assert click_db(queued - continuous, at, out_rate) < signal_db - 40.0


async def test_standalone_chunks_are_cached_apart_from_stream_segments(client, tracks):
    url = chunk_url(tracks["a-stereo"]["id"], 1)
    params = {"preset": "warm", "format": "opus"}
    segment = await client.get(url, params=params)
    alone = await client.get(url, params={**params, "standalone": "true"})
    again = await client.get(url, params={**params, "standalone": "1"})
    assert segment.headers["x-cache-source"] == "miss"
    assert alone.headers["x-cache-source"] == "miss" and alone.content != segment.content
    assert alone.content.startswith(b"OggS") and b"OpusHead" in alone.content[:64]
    assert not segment.content[:200].count(b"OpusHead")
    assert again.headers["x-cache-source"] == "tier1" and again.content == alone.content
    assert alone.headers["etag"] != segment.headers["etag"]
    info = await client.get(url + "/info", params={**params, "standalone": "true"})
    assert info.status_code == 200 and info.json()["data"]["source"] == "tier1"


async def test_standalone_is_a_no_op_for_lossless_and_strictly_parsed(client, tracks):
    url = chunk_url(tracks["a-stereo"]["id"], 0)
    wav = await client.get(url, params={"preset": "warm"})
    alone = await client.get(url, params={"preset": "warm", "standalone": "true"})
    assert alone.headers["x-cache-source"] == "tier1" and alone.content == wav.content
    for raw in ("yes", "TRUE", ""):
        response = await client.get(url, params={"format": "mp3", "standalone": raw})
        assert response.status_code == 422, raw
        assert "standalone" in response.json()["detail"]
