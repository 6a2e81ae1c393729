"""Analysis memory does not grow with the track: `masterstream render` of an hour-long file
stays under 400 MB, and within a few MB of a three-minute one.

The CLI runs in a fresh interpreter that reports its own peak RSS (VmHWM) at exit; the
files are synthesised block by block (16 kHz mono keeps an hour quick to write and read;
before streaming, an hour at this rate needed gigabytes).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

BOUND_MB = 400.0
GROWTH_MB = 40.0
SAMPLE_RATE = 16000
MEASURED_CLI = """
import atexit, sys
report = sys.argv.pop(1)
def write_peak():
    with open("/proc/self/status") as status, open(report, "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM")).split()[1])
atexit.register(write_peak)
from masterstream.cli import app
app()
"""


def write_long(path: Path, seconds: int) -> Path:
    """Pulsed noise at slowly changing levels, written a minute at a time."""
    rng = np.random.default_rng(9)
    t = np.arange(60 * SAMPLE_RATE) / SAMPLE_RATE
    pulses = 0.3 * (0.6 + 0.4 * np.sin(2 * np.pi * 2.0 * t) ** 8)
    with sf.SoundFile(path, "w", SAMPLE_RATE, 1, format="WAV", subtype="PCM_16") as f:
        for minute in range(-(-seconds // 60)):
            frames = min(60, seconds - 60 * minute) * SAMPLE_RATE
            level = 0.5 + 0.5 * (minute % 4) / 3
            f.write(level * pulses[:frames] * rng.standard_normal(frames))
    return path


def peak_rss_mb(path: Path, tmp_path: Path) -> float:
    report = tmp_path / f"{path.stem}.peak"
    args = [
        sys.executable,
        "-c",
        MEASURED_CLI,
        str(report),
        "render",
        str(path),
        "--preset",
        "adaptive",
        "--chunk",
        "3",
        "--out",
        str(tmp_path / f"{path.stem}.wav"),
        "--data-dir",
        str(tmp_path / "data"),
    ]
    run = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    rendered, rate = sf.read(tmp_path / f"{path.stem}.wav")
    assert rate == SAMPLE_RATE and rendered.shape[0] == 10 * SAMPLE_RATE  # chunk 3: 30-40 s
    return int(report.read_text()) / 1024.0


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
def test_rendering_a_chunk_of_an_hour_long_file_stays_bounded(tmp_path: Path) -> None:
    short = peak_rss_mb(write_long(tmp_path / "three-minutes.wav", 180), tmp_path)
    hour = peak_rss_mb(write_long(tmp_path / "one-hour.wav", 3600), tmp_path)
    assert hour <= BOUND_MB, f"an hour peaked at {hour:.0f} MB"
    assert hour <= short + GROWTH_MB, f"3 min: {short:.0f} MB, 1 h: {hour:.0f} MB"
