"""loudness=track|album over HTTP on a running server, measured by ffmpeg's ebur128 filter.

An album of a loud and a quiet track (the same music 10.5 dB apart), synthesised into a
temporary library and scanned by the real scanner: in track mode both land on the preset's
target; in album mode their difference is the source's, the album as a whole is on the
target and every track stays under the true-peak ceiling; adding a track to the album gives
album-mode chunks a new key and version (and new audio), while track mode's keys stay.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile as sf

from masterstream.api import create_app
from masterstream.mastering import get_preset
from tests.api.conftest import make_options, serve_in_process
from tests.audio.lossy_checks import ebur128, needs_ffmpeg
from tests.mastering.material import make_track

pytestmark = [needs_ffmpeg, pytest.mark.timeout(300)]
log = logging.getLogger(__name__)

RATE = 44100
PRESET = "adaptive"
QUIET_GAIN = 0.3  # -10.5 dB
TOLERANCE_LU = 0.5


def write_album(root: Path) -> Path:
    album = root / "Test Artist" / "Dynamics"
    album.mkdir(parents=True)
    music = make_track("music", RATE, 12.0)
    sf.write(album / "01 - Loud.flac", music, RATE, subtype="PCM_24")
    sf.write(album / "02 - Quiet.flac", music * QUIET_GAIN, RATE, subtype="PCM_24")
    return album


async def fetch_track(http: httpx.AsyncClient, track_id: int, loudness: str, out: Path) -> Path:
    params = {"preset": PRESET, "loudness": loudness, "format": "wav"}
    response = await http.get(f"/api/tracks/{track_id}/stream", params=params, timeout=120.0)
    assert response.status_code == 200, response.text
    out.write_bytes(response.content)
    return out


async def album_tracks(http: httpx.AsyncClient) -> dict[str, dict]:
    items = (await http.get("/api/tracks", params={"limit": 100})).json()["items"]
    return {item["title"]: item for item in items}


def concatenate(paths: list[Path], out: Path) -> Path:
    audio = [sf.read(io.BytesIO(p.read_bytes()), dtype="float32")[0] for p in paths]
    sf.write(out, np.concatenate(audio), RATE, subtype="FLOAT")
    return out


async def test_album_mode_keeps_the_album_dynamics_on_target(tmp_path, settings):
    library = tmp_path / "music"
    album_dir = write_album(library)
    app = create_app(
        settings.with_overrides(library_dir=library, chunk_duration_s=4.0), make_options()
    )
    target = get_preset(PRESET).target_lufs
    ceiling = get_preset(PRESET).true_peak_dbtp
    async with (
        serve_in_process(app) as address,
        httpx.AsyncClient(base_url=f"http://{address}") as http,
    ):
        tracks = await album_tracks(http)
        loud, quiet = tracks["Loud"], tracks["Quiet"]
        assert loud["album_id"] is not None and loud["album_id"] == quiet["album_id"]
        source = {n: ebur128(album_dir / f"{f}.flac")[0]
                  for n, f in (("loud", "01 - Loud"), ("quiet", "02 - Quiet"))}  # fmt: skip

        measured: dict[tuple[str, str], tuple[float, float]] = {}
        files: dict[tuple[str, str], Path] = {}
        for mode in ("track", "album"):
            for name, item in (("loud", loud), ("quiet", quiet)):
                path = await fetch_track(http, item["id"], mode, tmp_path / f"{mode}-{name}.wav")
                files[mode, name] = path
                measured[mode, name] = ebur128(path)
        album_lufs, _ = ebur128(concatenate(
            [files["album", "loud"], files["album", "quiet"]], tmp_path / "album.wav"
        ))  # fmt: skip
        log.info("source %s; measured %s; album %.2f LUFS", source, measured, album_lufs)

        for name in ("loud", "quiet"):
            assert measured["track", name][0] == pytest.approx(target, abs=TOLERANCE_LU)
        source_diff = source["loud"] - source["quiet"]
        album_diff = measured["album", "loud"][0] - measured["album", "quiet"][0]
        assert source_diff > 9.0
        assert album_diff == pytest.approx(source_diff, abs=TOLERANCE_LU)
        assert album_lufs == pytest.approx(target, abs=TOLERANCE_LU)
        for key, (_, peak_dbtp) in measured.items():
            assert peak_dbtp <= ceiling, key

        # a track added to the album: album-mode keys, versions and audio change
        chunk = f"/api/tracks/{loud['id']}/chunks/0"
        album_params = {"preset": PRESET, "loudness": "album"}
        before = await http.get(chunk, params=album_params)
        track_etag = (await http.head(chunk, params={"preset": PRESET})).headers["etag"]
        sf.write(album_dir / "03 - Middle.flac", make_track("music", RATE, 12.0) * 0.6, RATE,
                 subtype="PCM_24")  # fmt: skip
        report = (await http.post("/api/library/scan")).json()
        assert report["added"] == 1
        after_tracks = await album_tracks(http)
        assert after_tracks["Middle"]["album_id"] == loud["album_id"]
        assert after_tracks["Loud"]["version"] != loud["version"]
        after = await http.get(chunk, params=album_params, timeout=120.0)
        assert after.status_code == 200
        assert after.headers["etag"] != before.headers["etag"]
        assert after.headers["x-cache-source"] == "miss"
        assert after.content != before.content
        assert (await http.head(chunk, params={"preset": PRESET})).headers["etag"] == track_etag


async def test_loudness_parameter_is_validated(client, tracks):
    track_id = tracks["a-stereo"]["id"]
    response = await client.get(f"/api/tracks/{track_id}/chunks/0", params={"loudness": "loud"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "loudness" in response.json()["detail"]
    stream = await client.get(f"/api/tracks/{track_id}/stream", params={"loudness": "x"})
    assert stream.status_code == 422
