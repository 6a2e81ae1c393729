"""The mastered output measured chunk by chunk agrees with ffmpeg's ebur128 and a NumPy
crest factor on the same output rendered whole, in memory that does not grow with the track."""

from __future__ import annotations

import shutil
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from masterstream.audio.chunks import ChunkGeometry
from masterstream.mastering.measure_output import OutputMeter, measure_output
from masterstream.mastering.render import render_chunk

from .ebur128_summary import assert_measures_like
from .material import make_plan, make_track

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")
RATE = 44100


@needs_ffmpeg
@pytest.mark.parametrize(("preset", "kind", "intensity"),
                         [("punchy", "music", 1.0), ("warm", "quiet_dynamic", 0.4)])  # fmt: skip
def test_figures_agree_with_ffmpeg_on_the_whole_render(tmp_path, preset, kind, intensity):
    audio = make_track(kind, RATE, 20.0)
    source = tmp_path / "source.wav"
    sf.write(source, audio, RATE, subtype="FLOAT")
    _, plan = make_plan(preset, kind, RATE, 20.0)
    geometry = ChunkGeometry(audio.shape[0], RATE, chunk_duration_s=3.0)
    figures = measure_output(source, geometry, plan, intensity, 2).to_dict()
    whole = np.concatenate(
        [render_chunk(source, geometry, k, plan, intensity) for k in range(geometry.chunk_count)]
    )
    assert_measures_like(figures, whole, RATE, tmp_path / "rendered.wav")
    assert figures["loudness_range_lu"] > 1.0  # the material has sections: a real range


def test_silence_gives_floor_values():
    meter = OutputMeter(RATE, 2)
    meter.add(np.zeros((RATE, 2), dtype=np.float32))
    figures = meter.result()
    assert figures.integrated_lufs == -70.0 and figures.crest_factor_db == 0.0


def test_wrong_channel_count_is_refused():
    with pytest.raises(ValueError, match="expected"):
        OutputMeter(RATE, 2).add(np.zeros((10, 1)))


def write_long(path: Path, seconds: int, rate: int = 16000) -> Path:
    """Noise at a level changing every 10 s, written 10 s at a time."""
    rng = np.random.default_rng(3)
    with sf.SoundFile(path, "w", rate, 1, format="WAV", subtype="PCM_16") as f:
        for block in range(seconds // 10):
            f.write((0.05 + 0.05 * (block % 3)) * rng.standard_normal(10 * rate))
    return path


def traced_peak_bytes(path: Path, rate: int = 16000) -> tuple[int, int]:
    """(peak bytes allocated while measuring ``path``, the track's float32 size)."""
    frames = sf.info(path).frames
    geometry = ChunkGeometry(frames, rate, chunk_duration_s=5.0)
    _, plan = make_plan("punchy", "music", rate, 10.0, 1)
    measure_output(path, geometry, plan, 1.0, 1)  # compiled kernels and caches warmed
    tracemalloc.start()
    try:
        measure_output(path, geometry, plan, 1.0, 1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, frames * 4


def test_memory_is_chunks_not_the_track(tmp_path):
    short_peak, _ = traced_peak_bytes(write_long(tmp_path / "short.wav", 60))
    long_peak, long_bytes = traced_peak_bytes(write_long(tmp_path / "long.wav", 600))
    assert long_peak < long_bytes / 4, (long_peak, long_bytes)
    assert long_peak < 1.5 * short_peak + 2**20, (short_peak, long_peak)
