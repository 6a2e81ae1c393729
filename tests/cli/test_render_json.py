"""``masterstream render --json``: what was written, with loudness and true peak measured by
masterstream's own meters, checked against ffmpeg's ebur128 filter on the same file."""

from __future__ import annotations

import json

import pytest
import soundfile as sf

from tests.audio.lossy_checks import ebur128, needs_ffmpeg

TOLERANCE_DB = 0.5


@needs_ffmpeg
@pytest.mark.parametrize(
    ("preset", "intensity", "suffix"),
    [("punchy", 1.0, "wav"), ("warm", 0.6, "flac"), ("bright", 0.8, "mp3")],
)
def test_render_json_matches_an_independent_ffmpeg_measurement(
    cli, tmp_path, demo_library_dir, preset, intensity, suffix
):  # fmt: skip
    source = sorted(demo_library_dir.glob("*.flac"))[0]
    out = tmp_path / f"master.{suffix}"
    result = cli("render", str(source), "--preset", preset, "--intensity", str(intensity),
                 "--out", str(out), "--json")  # fmt: skip
    report = json.loads(result.stdout)
    assert report["path"] == str(out.resolve()) and report["bytes"] == out.stat().st_size
    assert report["format"].startswith(suffix) and report["preset"] == preset
    assert report["intensity"] == intensity and report["chunk"] is None
    info = sf.info(source)
    assert report["duration_s"] == pytest.approx(info.frames / info.samplerate, abs=0.06)
    assert report["channels"] == info.channels
    lufs, peak_dbtp = ebur128(out)
    assert report["integrated_lufs"] == pytest.approx(lufs, abs=TOLERANCE_DB)
    assert report["true_peak_dbtp"] == pytest.approx(peak_dbtp, abs=TOLERANCE_DB)
    assert report["true_peak_dbtp"] <= -0.5  # a mastered preset keeps its ceiling


def test_render_without_json_prints_no_json(cli, tmp_path, demo_library_dir):
    source = sorted(demo_library_dir.glob("*.flac"))[0]
    result = cli("render", str(source), "--preset", "warm", "--chunk", "0",
                 "--out", str(tmp_path / "c.wav"))  # fmt: skip
    assert result.stdout == "" and result.stderr.strip() == f"wrote {tmp_path / 'c.wav'}"
