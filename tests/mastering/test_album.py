"""Album loudness: offsets from the album's gated loudness, and plans calibrated to them,
measured independently by ffmpeg's ebur128 (loudness and 4x oversampled true peak)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from masterstream.mastering import compute_fingerprint, get_preset, plan_mastering, render_track
from masterstream.mastering.album import album_offsets_db, loudness_blocks_file
from masterstream.mastering.headroom import plan_with_headroom
from tests.audio.lossy_checks import ebur128, needs_ffmpeg

from .material import make_track

SR = 44100
TOLERANCE_LU = 0.2

pytestmark = needs_ffmpeg


@lru_cache(maxsize=4)
def album_sources(tmp_dir: str) -> dict[str, Path]:
    """A hot track (clipped, 0 dBFS), a loud one and a quiet one (-12 dB), as FLAC files."""
    music = make_track("music", SR, 8.0, seed=11)
    tracks = {
        "hot": np.clip(3.0 * music, -1.0, 1.0),
        "loud": music,
        "quiet": music * 0.25,
    }
    paths = {}
    for name, audio in tracks.items():
        paths[name] = Path(tmp_dir) / f"{name}.flac"
        sf.write(paths[name], audio, SR, subtype="PCM_24")
    return paths


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return album_sources(str(tmp_path_factory.mktemp("album")))


def test_blocks_measure_like_ffmpeg(sources: dict[str, Path], tmp_path: Path) -> None:
    blocks = {name: loudness_blocks_file(path) for name, path in sources.items()}
    joined = tmp_path / "album.flac"
    sf.write(joined, np.concatenate([sf.read(p)[0] for p in sources.values()]), SR,
             subtype="PCM_24")  # fmt: skip
    offsets = album_offsets_db(list(blocks.values()))
    album_lufs = ebur128(joined)[0]
    for (name, path), offset in zip(sources.items(), offsets, strict=True):
        assert offset == pytest.approx(ebur128(path)[0] - album_lufs, abs=TOLERANCE_LU), name


def test_offsets_of_silence_and_of_an_empty_album() -> None:
    tone = np.full(100, 10.0 ** (-20.0 / 10.0))  # blocks at -20.7 LUFS (K-weighting offset)
    assert album_offsets_db([tone, np.zeros(100)]) == [pytest.approx(0.0, abs=1e-9), 0.0]
    assert album_offsets_db([np.zeros(10), np.zeros(10)]) == [0.0, 0.0]
    assert album_offsets_db([]) == []


@pytest.mark.parametrize("preset", ["adaptive", "punchy", "gentle"])
def test_album_plans_keep_the_offsets_under_the_ceiling(
    preset: str, sources: dict[str, Path], tmp_path: Path
) -> None:
    """Each track lands on target + its offset (the hot one pushed up, into the limiter),
    so their differences are the source's, and every true peak stays under the ceiling."""
    offsets = album_offsets_db([loudness_blocks_file(p) for p in sources.values()])
    target = get_preset(preset).target_lufs
    ceiling = get_preset(preset).true_peak_dbtp
    for (name, path), offset in zip(sources.items(), offsets, strict=True):
        audio = sf.read(path, dtype="float32")[0]
        plan = plan_mastering(preset, compute_fingerprint(audio, SR), audio, SR)
        album = plan_with_headroom(path, plan, 0.0, offset)
        assert album.target_lufs == pytest.approx(target + offset)
        out = tmp_path / f"{preset}-{name}.wav"
        sf.write(out, render_track(audio, SR, album, 1.0), SR, subtype="FLOAT")
        lufs, peak_dbtp = ebur128(out)
        assert lufs == pytest.approx(target + offset, abs=TOLERANCE_LU), name
        assert peak_dbtp <= ceiling, name


def test_a_lossy_album_plan_lowers_the_ceiling_and_keeps_the_offset(
    sources: dict[str, Path], tmp_path: Path
) -> None:
    """Headroom for a lossy format and the album offset in one calibration."""
    offsets = album_offsets_db([loudness_blocks_file(p) for p in sources.values()])
    path, offset = sources["hot"], offsets[0]
    audio = sf.read(path, dtype="float32")[0]
    plan = plan_mastering("warm", compute_fingerprint(audio, SR), audio, SR)
    lossy = plan_with_headroom(path, plan, 1.0, offset)
    assert lossy.limiter.ceiling_dbtp == pytest.approx(plan.limiter.ceiling_dbtp - 1.0)
    out = tmp_path / "lossy.wav"
    sf.write(out, render_track(audio, SR, lossy, 1.0), SR, subtype="FLOAT")
    lufs, peak_dbtp = ebur128(out)
    assert lufs == pytest.approx(plan.target_lufs + offset, abs=TOLERANCE_LU)
    assert peak_dbtp <= get_preset("warm").true_peak_dbtp - 1.0
