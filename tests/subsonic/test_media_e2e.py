"""``stream`` and ``download`` through py-opensonic against a running ``masterstream
serve``: mastered MP3 and Opus decoded by ffmpeg (duration, loudness on the preset's
target), ``timeOffset``, ``maxBitRate``, the raw file, ``download``'s file name, the
cache serving a second listen from tier1, and the errors before any audio."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from masterstream.mastering import get_preset
from tests.audio.lossy_checks import ebur128, needs_ffmpeg
from tests.subsonic.user_server import (
    ALICE_SETTINGS,
    TRACKS,
    UserServer,
    connection_fixture,
    read_body,
    server_fixture,
    track_ids,
)

pytestmark = [needs_ffmpeg, pytest.mark.timeout(600)]
GROOVE = "Band/First/01.flac"
GROOVE_S = TRACKS[GROOVE][0]
MP3_FRAME_S = 1152 / 44100
TARGET_LUFS = get_preset(ALICE_SETTINGS.default_preset or "").target_lufs


server = server_fixture()


@pytest.fixture(scope="module")
def groove(server: UserServer) -> str:
    return track_ids(server)["Groove"]


alice = connection_fixture("alice")


def probe(path: Path) -> dict:
    """ffprobe's view of the first audio stream and the container."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,bit_rate,duration:"
         "format=duration,bit_rate", "-select_streams", "a:0", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(out)


def decoded_duration_s(path: Path) -> float:
    """Seconds of audio ffmpeg decodes from ``path`` (counted in samples, not estimated)."""
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-ar", "48000",
         "-"], capture_output=True, check=True,
    ).stdout  # fmt: skip
    return len(out) / 4 / 48000


def fetch(alice, tmp_path: Path, name: str, **options) -> tuple[Path, dict[str, str]]:
    response = alice.stream(**options)
    body = read_body(alice, response)
    path = tmp_path / name
    path.write_bytes(body)
    return path, dict(response.headers)


@pytest.mark.parametrize(("fmt", "suffix", "codec"), [("mp3", "mp3", "mp3"),
                                                      ("opus", "opus", "opus")])  # fmt: skip
def test_stream_is_mastered_to_the_users_preset(alice, groove, tmp_path, fmt, suffix, codec):
    path, headers = fetch(alice, tmp_path, f"groove.{suffix}", sid=groove, tformat=fmt)
    assert headers["Content-Type"].startswith("audio/")
    assert probe(path)["streams"][0]["codec_name"] == codec
    assert abs(decoded_duration_s(path) - GROOVE_S) <= MP3_FRAME_S
    loudness_lufs, _ = ebur128(path)
    assert abs(loudness_lufs - TARGET_LUFS) <= 1.0


def test_defaults_are_the_users_and_parameters_override_them(server, alice, groove, tmp_path):
    path, headers = fetch(alice, tmp_path, "default", sid=groove)
    assert headers["Content-Type"].startswith("audio/ogg")  # alice's default: Opus 128
    assert probe(path)["streams"][0]["codec_name"] == "opus"

    def body(**params: str) -> bytes:
        return server.rest("alice", "stream", id=groove, format="wav", **params).content

    bright = body(preset="bright", intensity="1")
    assert body() == bright  # alice's default preset and intensity
    assert body(preset="adaptive") != bright
    gentle = tmp_path / "gentle.wav"
    gentle.write_bytes(body(preset="gentle"))
    assert abs(ebur128(gentle)[0] - get_preset("gentle").target_lufs) <= 1.0  # -16 LUFS


def test_estimated_length_is_sent_and_kept(server, groove, tmp_path) -> None:
    cold = {"id": groove, "format": "opus", "preset": "warm", "intensity": "0.5"}
    estimated = server.rest("alice", "stream", **cold, estimateContentLength="true")
    assert int(estimated.headers["content-length"]) == len(estimated.content)
    path = tmp_path / "estimated.opus"
    path.write_bytes(estimated.content)
    assert abs(decoded_duration_s(path) - GROOVE_S) <= MP3_FRAME_S
    exact = server.rest("alice", "stream", **cold)  # every chunk cached: the length is known
    assert int(exact.headers["content-length"]) == len(exact.content) <= len(estimated.content)


def test_time_offset_starts_later(alice, groove, tmp_path) -> None:
    path, _ = fetch(alice, tmp_path, "from30.mp3", sid=groove, tformat="mp3", time_offset=30)
    assert abs(decoded_duration_s(path) - (GROOVE_S - 30.0)) <= MP3_FRAME_S


def test_max_bit_rate_caps_the_mp3_bitrate(server, groove, tmp_path) -> None:
    """bob keeps the server's defaults: MP3 at 192 kbit/s unless capped."""
    for cap, expected_kbps in ((0, 192), (128, 128), (200, 192)):
        path = tmp_path / f"capped-{cap}.mp3"
        path.write_bytes(server.rest("bob", "stream", id=groove, format="mp3",
                                     maxBitRate=str(cap)).content)  # fmt: skip
        assert probe(path)["streams"][0]["bit_rate"] == str(expected_kbps * 1000)
        size_kbps = path.stat().st_size * 8 / 1000 / GROOVE_S
        assert abs(size_kbps - expected_kbps) <= 0.05 * expected_kbps


def test_raw_is_the_original_file_with_ranges(server, alice, groove, tmp_path) -> None:
    original = (server.library / GROOVE).read_bytes()
    path, headers = fetch(alice, tmp_path, "raw.flac", sid=groove, tformat="raw")
    assert path.read_bytes() == original
    assert headers["Content-Type"] == "audio/flac"
    part = server.rest("alice", "stream", id=groove, format="raw")
    assert part.headers.get("accept-ranges") == "bytes"
    ranged = httpx.get(f"{server.base_url}/rest/stream",
                       params=server.params("alice", id=groove, format="raw"),
                       headers={"Range": "bytes=100-199"}, timeout=60)  # fmt: skip
    assert ranged.status_code == 206 and ranged.content == original[100:200]


def test_mp3_streams_take_ranges_like_the_api_stream(server, groove) -> None:
    params = server.params("alice", id=groove, format="mp3")
    whole = httpx.get(f"{server.base_url}/rest/stream", params=params, timeout=120)
    length = int(whole.headers["content-length"])
    assert length == len(whole.content)

    def ranged(spec: str) -> httpx.Response:
        return httpx.get(f"{server.base_url}/rest/stream", params=params,
                         headers={"Range": spec}, timeout=120)  # fmt: skip

    middle = ranged("bytes=200000-300000")
    assert middle.status_code == 206 and middle.content == whole.content[200000:300001]
    past = ranged(f"bytes={length}-")
    assert past.status_code == 416 and past.headers["content-range"] == f"bytes */{length}"
    assert past.json()["subsonic-response"]["error"]["code"] == 0
    head = httpx.head(f"{server.base_url}/rest/stream", params=params, timeout=120)
    assert head.status_code == 200 and head.content == b""  # players probe before playing
    assert int(head.headers["content-length"]) == length
    assert head.headers["content-type"] == whole.headers["content-type"]


def test_download_names_the_file(server, alice, groove) -> None:
    response = alice.download(groove)
    assert read_body(alice, response) == (server.library / GROOVE).read_bytes()
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and 'filename="01.flac"' in disposition


def test_a_second_listen_is_served_from_tier1(server, groove) -> None:
    def tier1_hits() -> int:
        stats = httpx.get(f"{server.base_url}/api/cache/stats", timeout=30,
                          headers={"Authorization": f"Bearer {server.api_key}"})  # fmt: skip
        return stats.raise_for_status().json()["tier1"]["hits"]

    params = {"id": groove, "format": "mp3", "maxBitRate": "160", "preset": "warm"}
    first = server.rest("bob", "stream", **params)
    assert first.status_code == 200 and first.headers["content-type"] == "audio/mpeg"
    before = tier1_hits()
    second = server.rest("bob", "stream", **params)
    assert second.content == first.content
    chunks = -(-GROOVE_S // 10)  # ten-second chunks
    assert tier1_hits() - before >= chunks


GROOVE_ID = "1"  # the first track indexed (checked below)


@pytest.mark.parametrize(
    ("params", "code", "words"),
    [
        ({"id": "987654"}, 70, "987654"),
        ({"id": "al-1"}, 70, "not found"),
        ({}, 10, "id"),
        ({"id": GROOVE_ID, "format": "aac"}, 0, "mp3, opus, flac, wav, raw"),
        ({"id": GROOVE_ID, "timeOffset": "500"}, 0, "timeOffset"),
        ({"id": GROOVE_ID, "preset": "loud-as-possible"}, 0, "preset"),
    ],
)
def test_errors_come_before_any_audio(server, groove, params, code, words) -> None:
    assert groove == GROOVE_ID
    answer = server.rest("alice", "stream", **params)
    assert answer.status_code == 200
    error = answer.json()["subsonic-response"]["error"]
    assert error["code"] == code and words in error["message"]
