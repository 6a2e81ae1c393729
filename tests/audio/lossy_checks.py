"""What the lossy-stream tests measure with: ffmpeg as the independent decoder and meter,
whole-stream assembly from independently encoded chunks, and a click detector."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from scipy import signal

from masterstream.audio.chunks import ChunkGeometry
from masterstream.audio.lossy import LossyStream, lossy_stream

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")


def encode_stream(
    fmt: str, audio: np.ndarray, sample_rate: int, bitrate_kbps: int | None = None,
    chunk_duration_s: float = 4.0, order: list[int] | None = None,
) -> tuple[bytes, LossyStream]:  # fmt: skip
    """The whole stream: header, then every chunk encoded on its own from exactly the
    frames :meth:`input_span` asks for (chunks encoded in ``order``, joined in order)."""
    geometry = ChunkGeometry(audio.shape[0], sample_rate, chunk_duration_s=chunk_duration_s)
    stream = lossy_stream(fmt, geometry, audio.shape[1], bitrate_kbps)
    chunks: dict[int, bytes] = {}
    for k in order if order is not None else range(geometry.chunk_count):
        start, stop = stream.input_span(k)
        chunks[k] = stream.encode_chunk(audio[start:stop].copy(), k, start_frame=start)
    return stream.header() + b"".join(chunks[k] for k in sorted(chunks)), stream


def ffmpeg_decode(data: bytes, path: Path, channels: int) -> tuple[np.ndarray, int]:
    """Decode ``data`` (written to ``path``: gapless trimming needs a seekable file) with
    ffmpeg, at the stream's own rate, as float32 ``(frames, channels)``."""
    path.write_bytes(data)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
         "stream=sample_rate", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", str(channels), "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(out, dtype=np.float32).reshape(-1, channels), int(probe.stdout)


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated loudness LUFS, true peak dBTP) of ``path`` by ffmpeg's ebur128 filter."""
    out = subprocess.run(
        ["ffmpeg", "-nostats", "-v", "error", "-i", str(path), "-af",
         "ebur128=peak=true:metadata=1,ametadata=mode=print:file=-", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    loudness = float(re.findall(r"lavfi\.r128\.I=(-?[\d.]+)", out)[-1])
    peak = max(float(v) for v in re.findall(r"lavfi\.r128\.true_peak=([\d.]+)", out))
    return loudness, 20 * np.log10(peak)


def rms_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-20))


def click_ratio(diff: np.ndarray, at: int, sample_rate: int) -> float:
    """How far the high-passed difference signal peaks within 2 ms of ``at`` above its
    typical level (median absolute value) in the 100 ms around: ~3-5 for codec noise,
    far more for a discontinuity."""
    sos = signal.butter(4, 2000, "highpass", fs=sample_rate, output="sos")
    span = round(0.05 * sample_rate)
    lo, hi = max(at - span, 0), min(at + span, diff.shape[0])
    high = np.abs(signal.sosfiltfilt(sos, diff[lo:hi], axis=0)).max(axis=1)
    near = round(0.002 * sample_rate)
    peak = high[max(at - lo - near, 0) : at - lo + near].max()
    return float(peak / (np.median(high) + 1e-12))


def window_errors_db(decoded: np.ndarray, reference: np.ndarray, centres, half: int) -> list:
    """RMS error (dB) of ``decoded`` against ``reference`` in ``[c - half, c + half)``."""
    return [rms_db(decoded[c - half : c + half] - reference[c - half : c + half]) for c in centres]


def boundary_report(
    fmt: str, audio: np.ndarray, sample_rate: int, bitrate_kbps: int | None, tmp_path: Path,
    chunk_duration_s: float = 4.0,
) -> dict:  # fmt: skip
    """Encode ``audio`` chunk by chunk (in reverse order) and in one piece, decode both with
    ffmpeg and measure, at every chunk boundary and away from them, their error against the
    master (``audio`` on the stream's sample-rate grid)."""
    channels = audio.shape[1]
    geometry = ChunkGeometry(audio.shape[0], sample_rate, chunk_duration_s=chunk_duration_s)
    order = list(range(geometry.chunk_count))[::-1]
    chunked, stream = encode_stream(fmt, audio, sample_rate, bitrate_kbps, chunk_duration_s, order)
    whole, _ = encode_stream(fmt, audio, sample_rate, bitrate_kbps, audio.shape[0] / sample_rate)
    ext = ".opus" if fmt == "opus" else ".mp3"
    decoded, rate = ffmpeg_decode(chunked, tmp_path / f"chunked{ext}", channels)
    continuous, _ = ffmpeg_decode(whole, tmp_path / f"whole{ext}", channels)
    master = stream.resampler.convert(audio, 0, audio.shape[0], 0, stream.output_frames)
    boundaries = [stream.resampler.out_index(geometry.chunk_span(k)[0])
                  for k in range(1, geometry.chunk_count)]  # fmt: skip
    half = round(0.01 * rate)
    elsewhere = [c for c in range(half, stream.output_frames - half, half * 2)
                 if all(abs(c - b) > 4 * half for b in boundaries)]  # fmt: skip
    return {
        "stream": stream, "rate": rate, "chunked": chunked, "decoded": decoded,
        "continuous": continuous, "master": master, "boundaries": boundaries,
        "boundary_error_db": window_errors_db(decoded, master, boundaries, half),
        "continuous_boundary_error_db": window_errors_db(continuous, master, boundaries, half),
        "elsewhere_error_db": window_errors_db(decoded, master, elsewhere, half),
        "click": [click_ratio(decoded - master, b, rate) for b in boundaries],
        "continuous_click": [click_ratio(continuous - master, b, rate) for b in boundaries],
    }  # fmt: skip


def best_lag(a: np.ndarray, b: np.ndarray, lags: int = 40) -> int:
    """The shift of 1-D ``b`` against ``a`` (within ±``lags`` samples) that correlates best:
    0 where two decodes line up, ±n where one gained or lost n samples (a gap, a duplicate)."""
    core = slice(lags, a.shape[0] - lags)
    scores = [float(np.dot(a[core], np.roll(b, lag)[core])) for lag in range(-lags, lags + 1)]
    return int(np.argmax(scores)) - lags


def click_db(diff: np.ndarray, at: int, sample_rate: int) -> float:
    """Peak (dB) of 1-D ``diff``, high-passed at 2 kHz, within 2 ms of ``at``: where a gap,
    an overlap or a step between two decodes would show (to compare with the signal's
    level, unlike :func:`click_ratio`, which compares with the difference's own level)."""
    sos = signal.butter(4, 2000, "highpass", fs=sample_rate, output="sos")
    span, near = round(0.05 * sample_rate), round(0.002 * sample_rate)
    high = np.abs(signal.sosfiltfilt(sos, diff[at - span : at + span]))
    return float(20 * np.log10(high[span - near : span + near].max() + 1e-12))
