"""Chunk-by-chunk rendering from real files equals the single-pass render, seamlessly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from masterstream.audio.chunks import ChunkGeometry
from masterstream.audio.decode import read_all, read_info
from masterstream.audio.encode import encode
from masterstream.errors import ChunkOutOfRangeError
from masterstream.mastering import (
    PRESET_NAMES,
    compute_fingerprint,
    plan_mastering,
    render_chunk,
    render_track,
)

from .material import make_track

CHUNK_S = 3.0
SEAM_HALF_WIDTH = 256


@pytest.fixture(scope="module")
def music_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("render") / "music.wav"
    sf.write(path, make_track("music", 44100, 12.5), 44100, subtype="PCM_16")
    return path


def chunked_and_single(path: Path, preset: str, intensity: float = 1.0):
    audio, sample_rate = read_all(path)
    plan = plan_mastering(preset, compute_fingerprint(audio, sample_rate), audio, sample_rate)
    geometry = ChunkGeometry(read_info(path).frames, sample_rate, chunk_duration_s=CHUNK_S)
    chunks = [render_chunk(path, geometry, k, plan, intensity) for k in range(geometry.chunk_count)]
    return np.vstack(chunks), render_track(audio, sample_rate, plan, intensity), geometry


def assert_seamless(chunked: np.ndarray, single: np.ndarray, geometry: ChunkGeometry) -> None:
    assert chunked.shape == single.shape and chunked.dtype == np.float32
    skip = geometry.sample_rate  # the first second
    residual = (chunked - single.astype(np.float64))[skip:]
    signal_power = np.mean(single[skip:].astype(np.float64) ** 2)
    assert np.mean(residual**2) <= 1e-6 * signal_power  # residual >= 60 dB down
    steps = np.abs(np.diff(chunked.astype(np.float64), axis=0)).max(axis=1)
    for k in range(1, geometry.chunk_count):
        seam = geometry.chunk_span(k)[0]
        before = steps[seam - 1 - SEAM_HALF_WIDTH : seam - 1]
        after = steps[seam : seam + SEAM_HALF_WIDTH]
        assert steps[seam - 1] <= max(before.max(), after.max()) + 1e-4, f"click at chunk {k}"


@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_chunks_concatenate_to_the_single_pass_render(music_file: Path, preset: str) -> None:
    chunked, single, geometry = chunked_and_single(music_file, preset)
    assert geometry.chunk_count == 5
    if preset == "original":
        np.testing.assert_array_equal(chunked, single)
    assert_seamless(chunked, single, geometry)


@pytest.mark.parametrize(
    ("sample_rate", "channels", "preset"),
    [(48000, 1, "adaptive"), (96000, 2, "punchy"), (44100, 1, "bright")],
)
def test_seamless_at_other_rates_and_in_mono(
    tmp_path: Path, sample_rate: int, channels: int, preset: str
) -> None:
    path = tmp_path / "track.flac"
    sf.write(path, make_track("music", sample_rate, 7.0, channels), sample_rate, subtype="PCM_24")
    chunked, single, geometry = chunked_and_single(path, preset, intensity=0.8)
    assert chunked.shape[1] == channels
    assert_seamless(chunked, single, geometry)


def test_same_chunk_twice_is_identical_down_to_the_bytes(music_file: Path) -> None:
    audio, sample_rate = read_all(music_file)
    plan = plan_mastering("punchy", compute_fingerprint(audio, sample_rate), audio, sample_rate)
    geometry = ChunkGeometry(audio.shape[0], sample_rate, chunk_duration_s=CHUNK_S)
    first = render_chunk(music_file, geometry, 2, plan, 0.7)
    second = render_chunk(music_file, geometry, 2, plan, 0.7)
    np.testing.assert_array_equal(first, second)
    for fmt in ("wav", "flac"):
        assert encode(first, sample_rate, fmt, dither_seed=42) == encode(
            second, sample_rate, fmt, dither_seed=42
        )


@pytest.mark.parametrize(("preset", "intensity"), [("original", 1.0), ("warm", 0.0)])
def test_passthrough_of_a_16_bit_source_is_bit_exact(
    music_file: Path, preset: str, intensity: float
) -> None:
    audio, sample_rate = read_all(music_file)
    plan = plan_mastering(preset, compute_fingerprint(audio, sample_rate), audio, sample_rate)
    geometry = ChunkGeometry(audio.shape[0], sample_rate, chunk_duration_s=CHUNK_S)
    source = sf.read(music_file, dtype="int16", always_2d=True)[0]
    for k in range(geometry.chunk_count):
        start, stop = geometry.chunk_span(k)
        wav = encode(render_chunk(music_file, geometry, k, plan, intensity), sample_rate, "wav")
        samples = np.frombuffer(wav[44:], dtype="<i2").reshape(-1, source.shape[1])
        np.testing.assert_array_equal(samples, source[start:stop])


def test_chunk_index_out_of_range(music_file: Path) -> None:
    audio, sample_rate = read_all(music_file)
    plan = plan_mastering("gentle", compute_fingerprint(audio, sample_rate), audio, sample_rate)
    geometry = ChunkGeometry(audio.shape[0], sample_rate, chunk_duration_s=CHUNK_S)
    with pytest.raises(ChunkOutOfRangeError):
        render_chunk(music_file, geometry, geometry.chunk_count, plan, 1.0)
