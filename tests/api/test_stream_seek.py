"""Seeking a whole-track stream: ``start_s=`` in every format (ffmpeg decodes the stream
that starts there to the remaining samples, which match the full stream's from that
position), Range on an Opus stream once all its chunks are cached, bad start values."""

from __future__ import annotations

import contextlib
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile as sf
from fastapi import Request, Response

from masterstream.api import create_app
from masterstream.api.streaming import _fitted, track_stream_response
from masterstream.config import Settings
from masterstream.service.request import Variant, check_format
from tests.api.conftest import make_options, open_client
from tests.audio.lossy_checks import ffmpeg_decode, needs_ffmpeg

pytestmark = needs_ffmpeg
DURATION_S = 48.0
RATE = 44100
START_S = 37.3
OUTPUT_RATES = {"wav": RATE, "flac": RATE, "mp3": RATE, "opus": 48000}


@pytest.fixture(scope="module")
def long_library_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One 48 s stereo track that never repeats: notes of random pitch over soft noise."""
    directory = tmp_path_factory.mktemp("seek-library")
    rng = np.random.default_rng(11)
    t = np.arange(round(DURATION_S * RATE)) / RATE
    pitch = 110.0 * 2 ** (rng.integers(0, 36, size=int(DURATION_S * 4)) / 12)
    phase = 2 * np.pi * np.cumsum(np.repeat(pitch, RATE // 4)[: t.size]) / RATE
    envelope = 0.5 + 0.5 * np.abs(np.sin(2 * np.pi * 1.7 * t))
    left = 0.3 * envelope * np.sin(phase) + 0.03 * rng.standard_normal(t.size)
    right = 0.3 * envelope * np.sin(1.5 * phase) + 0.03 * rng.standard_normal(t.size)
    sf.write(directory / "long.wav", np.stack([left, right], axis=1), RATE)
    return directory


@pytest.fixture
async def seek_client(tmp_path: Path, long_library_dir: Path):
    settings = Settings(
        data_dir=tmp_path / "data", library_dir=long_library_dir, cache_dir=tmp_path / "cache",
        chunk_duration_s=5.0, render_workers=2, render_pool="thread", watch_library=False,
    )  # fmt: skip
    async for client in open_client(create_app(settings, make_options())):
        yield client


async def track_id(client: httpx.AsyncClient) -> int:
    return (await client.get("/api/tracks")).json()["items"][0]["id"]


def url(track: int) -> str:
    return f"/api/tracks/{track}/stream"


def decode(body: bytes, path: Path) -> tuple[np.ndarray, int]:
    decoded, rate = ffmpeg_decode(body, path, 2)
    return decoded, rate


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


@pytest.mark.parametrize("fmt", ["wav", "flac", "opus", "mp3"])
async def test_a_stream_from_start_s_decodes_to_the_rest_of_the_full_stream(
    seek_client, tmp_path, fmt
):
    track = await track_id(seek_client)
    params = {"preset": "warm", "format": fmt}
    full = await seek_client.get(url(track), params=params)
    seek = await seek_client.get(url(track), params={**params, "start_s": str(START_S)})
    assert full.status_code == seek.status_code == 200
    rate = OUTPUT_RATES[fmt]
    start = round(START_S * rate)
    remaining = round(DURATION_S * rate) - start
    assert float(seek.headers["x-content-duration"]) == pytest.approx(remaining / rate, abs=1e-3)
    assert seek.headers["etag"] != full.headers["etag"]
    whole, whole_rate = decode(full.content, tmp_path / f"full.{fmt}")
    part, part_rate = decode(seek.content, tmp_path / f"seek.{fmt}")
    assert whole_rate == part_rate == rate and whole.shape[0] == round(DURATION_S * rate)
    if fmt in ("wav", "flac"):  # cut at the sample: exactly the full stream's samples
        np.testing.assert_array_equal(part, whole[start:])
        return
    # lossy: the exact remaining length (the Opus pre-skip or LAME delay trims the start)
    assert part.shape[0] == remaining
    window = round(0.5 * rate)
    assert correlation(part[:300], whole[start : start + 300]) > 0.99  # from the 1st sample
    assert correlation(part[:window], whole[start : start + window]) > 0.995
    assert correlation(part[-window:], whole[-window:]) > 0.999
    assert correlation(part[:window], whole[start + 200 : start + 200 + window]) < 0.9


@pytest.mark.parametrize("fmt", ["wav", "mp3"])
async def test_a_stream_from_start_s_still_takes_ranges(seek_client, fmt):
    track = await track_id(seek_client)
    params = {"format": fmt, "start_s": "12.25", "preset": "warm"}
    body = (await seek_client.get(url(track), params=params)).content
    first, last = len(body) // 4, 3 * len(body) // 4
    part = await seek_client.get(url(track), params=params,
                                 headers={"Range": f"bytes={first}-{last}"})  # fmt: skip
    assert part.status_code == 206 and part.content == body[first : last + 1]
    head = await seek_client.head(url(track), params=params)
    assert int(head.headers["content-length"]) == len(body)


async def test_an_opus_stream_takes_ranges_once_every_chunk_is_cached(seek_client, tmp_path):
    track = await track_id(seek_client)
    params = {"format": "opus", "bitrate": "96", "preset": "warm"}
    cold = await seek_client.get(url(track), params=params)
    assert cold.headers["accept-ranges"] == "none" and "content-length" not in cold.headers
    head = await seek_client.head(url(track), params=params)  # every chunk is cached now
    assert head.headers["accept-ranges"] == "bytes"
    assert int(head.headers["content-length"]) == len(cold.content)
    body = cold.content
    first, last = len(body) // 3, len(body) // 3 + 70_000
    part = await seek_client.get(url(track), params=params,
                                 headers={"Range": f"bytes={first}-{last}"})  # fmt: skip
    assert part.status_code == 206 and part.content == body[first : last + 1]
    assert part.headers["content-range"] == f"bytes {first}-{last}/{len(body)}"
    half = len(body) // 2
    halves = [
        await seek_client.get(url(track), params=params, headers={"Range": spec})
        for spec in (f"bytes=0-{half - 1}", f"bytes={half}-")
    ]
    joined = b"".join(h.content for h in halves)
    assert [h.status_code for h in halves] == [206, 206] and joined == body
    decoded, rate = decode(joined, tmp_path / "halves.opus")
    assert rate == 48000 and decoded.shape[0] == round(DURATION_S * 48000)


@pytest.mark.parametrize("start", ["-1", "abc", "nan", "inf", "1e3", "48", "48.0001", "999"])
async def test_bad_start_values_are_422_problems(seek_client, start):
    track = await track_id(seek_client)
    response = await seek_client.get(url(track), params={"start_s": start, "format": "opus"})
    assert response.status_code == 422, start
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].rsplit("/", 1)[1] in ("validation-error", "start-out-of-range")
    with contextlib.suppress(KeyError):
        assert problem["duration_s"] == pytest.approx(DURATION_S)


async def test_an_estimated_length_is_met_exactly_by_padding_or_cutting():
    async def body():
        yield b"OggS-one"
        yield b"-two"

    async def fitted(length: int) -> bytes:
        return b"".join([part async for part in _fitted(body(), length)])

    assert await fitted(16) == b"OggS-one-two\0\0\0\0"
    assert await fitted(10) == b"OggS-one-t"
    assert await fitted(12) == b"OggS-one-two"


@pytest.mark.parametrize("fmt", ["wav", "flac", "opus", "mp3"])
@pytest.mark.parametrize("start", [0.004, 0.999, 1.0, 2.19])
async def test_starts_at_the_edges_of_chunks_and_of_the_track(client, tracks, tmp_path, fmt,
                                                             start):  # fmt: skip
    track = tracks["b-mono"]  # 2.2 s, 48 kHz mono, 1 s chunks
    params = {"format": fmt, "preset": "warm"}
    full = await client.get(url(track["id"]), params=params)
    seek = await client.get(url(track["id"]), params={**params, "start_s": str(start)})
    assert seek.status_code == 200
    whole, _ = ffmpeg_decode(full.content, tmp_path / f"full.{fmt}", 1)
    part, rate = ffmpeg_decode(seek.content, tmp_path / f"seek.{fmt}", 1)
    first = round(float(seek.headers["x-stream-start"]) * rate)  # where it really starts
    assert first == round(start * rate) or (
        fmt == "mp3" and 0 < round(start * rate) - first <= 1152
    )
    assert rate == 48000 and part.shape[0] == whole.shape[0] - first
    assert float(seek.headers["x-content-duration"]) == pytest.approx(
        part.shape[0] / rate, abs=1e-3
    )
    if fmt in ("wav", "flac"):
        np.testing.assert_array_equal(part, whole[first:])
    elif part.shape[0] > 480:
        assert correlation(part[:480], whole[first : first + 480]) > 0.99


@pytest.mark.parametrize("fmt", ["opus", "flac"])
async def test_an_estimated_length_is_sent_and_met_by_the_body(app, tmp_path, fmt):
    async def estimated(request: Request, track_id: int) -> Response:
        state = request.app.state.ms
        return await track_stream_response(request, state, track_id, Variant.of("warm"),
                                           check_format(fmt), estimate_length=True)  # fmt: skip

    app.add_api_route("/estimated/{track_id}", estimated, methods=["GET", "HEAD"])
    async for client in open_client(app):
        track = (await client.get("/api/tracks")).json()["items"][0]
        head = await client.head(f"/estimated/{track['id']}")
        response = await client.get(f"/estimated/{track['id']}")
        assert response.status_code == 200 and response.headers["accept-ranges"] == "none"
        assert int(response.headers["content-length"]) == len(response.content)
        assert head.headers["content-length"] == response.headers["content-length"]
        decoded, rate = ffmpeg_decode(response.content, tmp_path / f"e.{fmt}", 1)
        assert decoded.shape[0] == round(track["duration_s"] * rate)  # the padding is skipped
        cached = await client.head(f"/estimated/{track['id']}")  # every chunk cached now
        if fmt == "opus":  # the exact length, no padding: other bytes, another ETag
            assert cached.headers["accept-ranges"] == "bytes"
            assert int(cached.headers["content-length"]) < len(response.content)
            assert cached.headers["etag"] != response.headers["etag"]
        else:  # FLAC is encoded as it is sent: always an estimate
            for name in ("content-length", "etag", "accept-ranges"):
                assert cached.headers[name] == head.headers[name]
