"""/stream: one continuous WAV assembled from the chunks, with Range requests."""

from __future__ import annotations

import io

import numpy as np
import soundfile as sf

from masterstream.audio.encode import WAV_HEADER_BYTES
from tests.audio.lossy_checks import ffmpeg_decode, needs_ffmpeg


def stream_url(track_id: int) -> str:
    return f"/api/tracks/{track_id}/stream"


async def chunk_pcm(client, track_id: int, count: int, params: dict) -> bytes:
    parts = []
    for k in range(count):
        wav = (await client.get(f"/api/tracks/{track_id}/chunks/{k}", params=params)).content
        parts.append(wav[WAV_HEADER_BYTES:])
    return b"".join(parts)


async def test_whole_stream_is_a_valid_wav_equal_to_the_chunks(client, tracks):
    track = tracks["a-stereo"]
    params = {"preset": "warm", "intensity": "0.8"}
    response = await client.get(stream_url(track["id"]), params=params)
    assert response.status_code == 200
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-type"] == "audio/wav"
    frames = round(3.5 * 44100)
    assert int(response.headers["content-length"]) == WAV_HEADER_BYTES + frames * 4
    assert len(response.content) == WAV_HEADER_BYTES + frames * 4
    audio, rate = sf.read(io.BytesIO(response.content), dtype="int16", always_2d=True)
    assert rate == 44100 and audio.shape == (frames, 2)
    pcm = await chunk_pcm(client, track["id"], track["chunk_count"], params)
    assert response.content[WAV_HEADER_BYTES:] == pcm


async def test_head_gives_the_length_without_rendering(client, app, tracks):
    track = tracks["b-mono"]
    response = await client.head(stream_url(track["id"]))
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["content-length"]) == WAV_HEADER_BYTES + round(2.2 * 48000) * 2
    assert app.state.ms.engine.cache.render_stats.count == 0


async def test_range_seek_renders_only_the_chunks_it_covers(client, app, tracks):
    track = tracks["a-stereo"]
    cache = app.state.ms.engine.cache
    block = 4
    first = WAV_HEADER_BYTES + round(2.5 * 44100) * block  # 2.5 s: inside chunk 2
    last = first + 1000 * block - 1
    response = await client.get(stream_url(track["id"]),
                                headers={"Range": f"bytes={first}-{last}"})  # fmt: skip
    assert response.status_code == 206
    total = WAV_HEADER_BYTES + round(3.5 * 44100) * block
    assert response.headers["content-range"] == f"bytes {first}-{last}/{total}"
    assert int(response.headers["content-length"]) == last - first + 1 == len(response.content)
    assert cache.render_stats.count == 1  # only chunk 2
    whole = await chunk_pcm(client, track["id"], track["chunk_count"], {})
    assert response.content == whole[first - WAV_HEADER_BYTES : last + 1 - WAV_HEADER_BYTES]


async def test_range_over_the_header_and_a_chunk_boundary(client, tracks):
    track = tracks["b-mono"]
    full = (await client.get(stream_url(track["id"]), params={"preset": "original"})).content
    boundary = WAV_HEADER_BYTES + 48000 * 2  # start of chunk 1
    for first, last in ((0, 43), (10, 200), (boundary - 7, boundary + 9), (len(full) - 3, None)):
        spec = f"bytes={first}-" + ("" if last is None else str(last))
        part = await client.get(stream_url(track["id"]), params={"preset": "original"},
                                headers={"Range": spec})  # fmt: skip
        assert part.status_code == 206
        assert part.content == full[first : None if last is None else last + 1]
    suffix = await client.get(stream_url(track["id"]), params={"preset": "original"},
                              headers={"Range": "bytes=-100"})  # fmt: skip
    assert suffix.content == full[-100:]


async def test_original_stream_equals_the_source_file(client, tracks, tiny_library_dir):
    track = tracks["a-stereo"]
    body = (await client.get(stream_url(track["id"]), params={"preset": "original"})).content
    source, _ = sf.read(tiny_library_dir / "a-stereo.wav", dtype="int16")
    pcm = np.frombuffer(body, dtype="<i2", offset=WAV_HEADER_BYTES).reshape(-1, 2)
    np.testing.assert_array_equal(pcm, source)


async def test_malformed_or_unsatisfiable_range_is_416(client, tracks):
    url = stream_url(tracks["b-mono"]["id"])
    total = WAV_HEADER_BYTES + round(2.2 * 48000) * 2
    for spec in ("bytes=abc", "bytes=9-2", f"bytes={total}-", "lines=0-1"):
        response = await client.get(url, headers={"Range": spec})
        assert response.status_code == 416, spec
        assert response.headers["content-range"] == f"bytes */{total}"
        assert response.headers["content-type"] == "application/problem+json"


async def test_if_range_with_a_stale_etag_sends_everything(client, tracks):
    url = stream_url(tracks["b-mono"]["id"])
    params = {"preset": "original"}
    etag = (await client.head(url, params=params)).headers["etag"]
    fresh = await client.get(url, params=params, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert fresh.status_code == 206
    stale = await client.get(url, params=params,
                             headers={"Range": "bytes=0-9", "If-Range": '"old"'})  # fmt: skip
    assert stale.status_code == 200 and len(stale.content) > 10


@needs_ffmpeg
async def test_flac_stream_is_one_flac_of_the_wav_streams_samples(client, tracks, tmp_path):
    for track in tracks.values():
        params = {"preset": "warm"}
        wav = await client.get(stream_url(track["id"]), params=params)
        flac = await client.get(stream_url(track["id"]), params={**params, "format": "flac"})
        assert flac.status_code == 200 and flac.headers["content-type"] == "audio/flac"
        assert flac.headers["accept-ranges"] == "none" and "content-length" not in flac.headers
        assert flac.headers["x-content-duration"] == wav.headers["x-content-duration"]
        assert flac.headers["etag"] != wav.headers["etag"]
        assert flac.content.startswith(b"fLaC") and flac.content.count(b"fLaC") == 1
        channels = track["channels"]
        pcm = np.frombuffer(wav.content, dtype="<i2", offset=WAV_HEADER_BYTES)
        decoded, rate = ffmpeg_decode(flac.content, tmp_path / "s.flac", channels)
        assert rate == track["sample_rate"]
        np.testing.assert_array_equal(np.rint(decoded * 32768).astype("<i2").ravel(), pcm)


async def test_unknown_stream_format_is_422(client, tracks):
    response = await client.get(stream_url(tracks["b-mono"]["id"]), params={"format": "aac"})
    assert response.status_code == 422
    assert response.json()["valid_formats"] == ["flac", "mp3", "opus", "wav"]
