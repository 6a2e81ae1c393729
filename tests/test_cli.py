"""The command line, run as a user runs it: a real process, real files, real exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from masterstream.mastering import PRESET_NAMES
from tests.audio.lossy_checks import ffmpeg_decode
from tests.conftest import write_tone


def run_cli(*args: str, data_dir: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MASTERSTREAM_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    result = subprocess.run([sys.executable, "-m", "masterstream", *args], capture_output=True,
                            text=True, env=env, timeout=240)  # fmt: skip
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory, demo_library_dir):
    """A data dir whose catalog holds the (shortened) demo library, scanned through the CLI."""
    data_dir = tmp_path_factory.mktemp("data")
    report = json.loads(run_cli("scan", str(demo_library_dir), "--json", data_dir=data_dir).stdout)
    assert report["added"] == len(list(demo_library_dir.glob("*.flac")))
    return data_dir


def test_presets_json_lists_every_preset_with_targets(tmp_path):
    rows = json.loads(run_cli("presets", "--json", data_dir=tmp_path).stdout)
    assert [r["name"] for r in rows] == list(PRESET_NAMES)
    for row in rows:
        assert {"name", "description", "target_lufs", "true_peak_dbtp"} <= row.keys()
        if row["name"] != "original":
            assert row["true_peak_dbtp"] <= -1.0


def test_info_shows_track_and_fingerprint(cli_env):
    data = json.loads(run_cli("info", "1", "--json", data_dir=cli_env).stdout)
    assert data["id"] == 1 and data["channels"] == 2 and data["chunk_count"] >= 1
    assert len(data["fingerprint"]) >= 20


@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_render_every_preset_on_the_demo_library(cli_env, tmp_path, preset):
    out = tmp_path / f"{preset}.wav"
    run_cli("render", "2", "--preset", preset, "--intensity", "0.8", "--out", str(out),
            data_dir=cli_env)  # fmt: skip
    info = json.loads(run_cli("info", "2", "--json", data_dir=cli_env).stdout)
    audio, rate = sf.read(out, dtype="int16", always_2d=True)
    assert rate == info["sample_rate"] and audio.shape == (info["frames"], 2)
    assert np.abs(audio).max() > 1000


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")
def test_render_a_whole_track_to_mp3_is_the_servers_stream(cli_env, tmp_path):
    out = tmp_path / "t2.mp3"
    run_cli("render", "2", "--preset", "warm", "--bitrate", "256", "--out", str(out),
            data_dir=cli_env)  # fmt: skip
    info = json.loads(run_cli("info", "2", "--json", data_dir=cli_env).stdout)
    decoded, rate = ffmpeg_decode(out.read_bytes(), tmp_path / "copy.mp3", 2)
    assert rate == info["sample_rate"] and decoded.shape[0] == info["frames"]  # gapless
    assert "--chunk renders WAV" in run_cli(
        "render", "2", "--preset", "warm", "--chunk", "0", "--out", str(out),
        data_dir=cli_env, check=False,
    ).stderr  # fmt: skip


def test_render_one_chunk_of_a_file_path(tmp_path):
    src = write_tone(tmp_path / "tone.wav", duration_s=12.0)
    out = tmp_path / "chunk1.flac"
    run_cli("render", str(src), "--preset", "warm", "--chunk", "1", "--out", str(out),
            data_dir=tmp_path / "data")  # fmt: skip
    audio, rate = sf.read(out, always_2d=True)
    assert rate == 44100 and audio.shape == (2 * 44100, 2)  # the short last chunk


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render", "1", "--preset", "loudest", "--out", "x.wav"], "valid presets: adaptive"),
        (["render", "1", "--preset", "warm", "--intensity", "1.5", "--out", "x.wav"], "[0, 1]"),
        (["render", "1", "--preset", "warm", "--intensity", "nan", "--out", "x.wav"], "[0, 1]"),
        (["render", "1", "--preset", "warm", "--chunk", "999", "--out", "x.wav"], "out of range"),
        (["render", "1", "--preset", "warm", "--out", "x.mp4"], "--out must end in"),
        (["render", "1", "--preset", "warm", "--bitrate", "100", "--out", "x.opus"], "allowed"),
        (["info", "/no/such/file.wav"], "no such file"),
        (["info", "12345"], "no track with id 12345"),
        (["scan", "/no/such/dir"], "does not exist"),
    ],
)
def test_bad_input_is_one_clear_line_and_nonzero_exit(cli_env, args, message):
    result = run_cli(*args, data_dir=cli_env, check=False)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_corrupt_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.flac"
    bad.write_bytes(b"fLaC" + bytes(500))
    result = run_cli("info", str(bad), data_dir=tmp_path / "data", check=False)
    assert result.returncode == 1 and "not a decodable audio file" in result.stderr
    assert "Traceback" not in result.stderr


def test_scan_indexes_then_analyses_and_prints_every_skipped_file(tmp_path):
    music = tmp_path / "music"
    music.mkdir()
    write_tone(music / "good.wav", duration_s=1.5)
    (music / "noise.wav").write_bytes(np.random.default_rng(3).bytes(4000))
    (music / "empty.flac").write_bytes(b"")
    result = run_cli("scan", str(music), data_dir=tmp_path / "data")
    assert "added 1," in result.stdout and "analysed 1," in result.stdout
    assert "skipped 2" in result.stdout
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert sorted(line.split(":")[0] for line in skipped) == [
        f"skipped {(music / 'empty.flac').resolve()}",
        f"skipped {(music / 'noise.wav').resolve()}",
    ]
    assert all(line.split(": ", 1)[1].strip() for line in skipped)  # each with its reason
    again = json.loads(run_cli("scan", str(music), "--json", data_dir=tmp_path / "data").stdout)
    assert again["unchanged"] == 1 and again["analysed"] == 0 and len(again["skipped"]) == 2
