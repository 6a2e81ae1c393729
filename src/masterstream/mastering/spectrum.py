"""Spectral and rhythmic analysis of a mono mix, for the fingerprint.

One pass of a Hann-windowed STFT (about 46 ms frames, 50% overlap), fed block by block by
:class:`SpectrumMeter` so a long track never holds its whole spectrogram, accumulates the
long-term power spectrum, per-frame flatness and a spectral-flux onset envelope (both on
~64 log-spaced bands). Tempo is the autocorrelation peak of the onset envelope between
60 and 200 BPM (weighted towards 120 BPM to avoid octave errors); transients are
onset-envelope peaks above an adaptive threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import fft

BANDS_HZ = {
    "band_sub_ratio": (20.0, 60.0),
    "band_bass_ratio": (60.0, 250.0),
    "band_low_mid_ratio": (250.0, 500.0),
    "band_mid_ratio": (500.0, 2000.0),
    "band_high_mid_ratio": (2000.0, 4000.0),
    "band_presence_ratio": (4000.0, 6000.0),
    "band_brilliance_ratio": (6000.0, 20000.0),
}
TEMPO_RANGE_BPM = (60.0, 200.0)
TEMPO_PRIOR_BPM = 120.0
ROLLOFF_SHARE = 0.85
_FRAMES_PER_BLOCK = 512
FLUX_BANDS = 64
_SILENT_FRAME_POWER = 1e-12


@dataclass(frozen=True, slots=True)
class SpectrumStats:
    band_ratios: dict[str, float]
    centroid_hz: float
    rolloff_hz: float
    flatness: float
    tilt_db_per_octave: float
    tempo_bpm: float
    onsets_per_s: float


def _frame_size(sample_rate: int) -> int:
    return 1 << round(math.log2(0.0464 * sample_rate))  # 2048 at 44.1/48 kHz


def _band_edges(n_fft: int, sample_rate: int) -> np.ndarray:
    """Bin edges of ~64 log-spaced bands from 40 Hz to 20 kHz (or Nyquist), >= 1 bin each."""
    bin_hz = sample_rate / n_fft
    low = max(1, round(40.0 / bin_hz))
    high = min(n_fft // 2, round(min(20000.0, 0.5 * sample_rate) / bin_hz))
    return np.unique(np.round(np.geomspace(low, high, FLUX_BANDS + 1)).astype(np.int64))


class SpectrumMeter:
    """One STFT pass over a mono mix fed block by block (see the module docstring).

    Holds less than one frame of pending samples plus one onset-flux value per frame
    (~43 per second), so memory grows by a few hundred bytes per second of audio.
    """

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.n_fft = _frame_size(sample_rate)
        self.hop = self.n_fft // 2
        self._window = np.hanning(self.n_fft).astype(np.float32)
        self._edges = _band_edges(self.n_fft, sample_rate)
        self._widths = np.diff(self._edges).astype(np.float32)
        self._pending = np.zeros(self.n_fft // 2, dtype=np.float32)  # the zero lead-in
        self._samples = 0
        self._done = 0
        self._long_term = np.zeros(self.n_fft // 2 + 1)
        self._flatness_sum, self._flatness_count = 0.0, 0
        self._flux: list[np.ndarray] = []
        self._previous: np.ndarray | None = None

    def add(self, mono: np.ndarray) -> None:
        """Append the next samples of the mono mix."""
        self._samples += mono.shape[0]
        self._pending = np.concatenate((self._pending, np.asarray(mono, dtype=np.float32)))
        self._consume(None)

    def _consume(self, limit: int | None) -> None:
        ready = max(0, (self._pending.shape[0] - self.n_fft) // self.hop + 1)
        if limit is not None:
            ready = min(ready, limit - self._done)
        if ready <= 0:
            return
        frames = np.lib.stride_tricks.sliding_window_view(self._pending, self.n_fft)[:: self.hop]
        for start in range(0, ready, _FRAMES_PER_BLOCK):
            self._frames(frames[start : min(start + _FRAMES_PER_BLOCK, ready)] * self._window)
        self._done += ready
        self._pending = self._pending[ready * self.hop :].copy()

    def _frames(self, block: np.ndarray) -> None:
        """Long-term power, flatness and flux of windowed frames ``block``.

        Flatness and flux are computed on ~64 log-spaced band powers (mean power per bin in
        each band) rather than on every bin: the same measures, an order of magnitude fewer
        logarithms on a whole track.
        """
        spectrum_ = fft.rfft(block, axis=1, workers=1)
        power = spectrum_.real**2 + spectrum_.imag**2
        self._long_term += power.sum(axis=0, dtype=np.float64)
        edges = self._edges
        bands = np.add.reduceat(power[:, : edges[-1]], edges[:-1], axis=1) / self._widths
        arithmetic = bands.mean(axis=1, dtype=np.float64)
        loud = arithmetic > _SILENT_FRAME_POWER
        if np.any(loud):
            log_mean = np.log(bands[loud] + np.float32(1e-20)).mean(axis=1, dtype=np.float64)
            self._flatness_sum += float(np.sum(np.exp(log_mean) / arithmetic[loud]))
            self._flatness_count += int(np.count_nonzero(loud))
        compressed = np.log1p(np.float32(1000.0) * np.sqrt(bands))
        first = compressed[:1] if self._previous is None else self._previous
        before = np.vstack((first, compressed[:-1]))
        self._flux.append(np.maximum(compressed - before, 0).sum(axis=1).astype(np.float64))
        self._previous = compressed[-1:]

    def finish(self) -> SpectrumStats:
        """Statistics of everything added (call once, after the last block)."""
        n_frames = max(1, 1 + (self._samples - 1) // self.hop)
        self._pending = np.concatenate((self._pending, np.zeros(self.n_fft, dtype=np.float32)))
        self._consume(n_frames)
        flatness = self._flatness_sum / self._flatness_count if self._flatness_count else 0.0
        flux = np.concatenate(self._flux)
        return _stats(
            self._long_term, min(flatness, 1.0), flux, self.n_fft, self.sample_rate, self._samples
        )


def _tilt(freqs: np.ndarray, long_term: np.ndarray, sample_rate: int) -> float:
    top = min(16000.0, 0.45 * sample_rate)
    centres = 50.0 * 2.0 ** (np.arange(0, math.log2(top / 50.0), 1.0 / 3.0))
    levels, octaves = [], []
    for centre in centres:
        in_band = (freqs >= centre * 2 ** (-1 / 6)) & (freqs < centre * 2 ** (1 / 6))
        energy = float(long_term[in_band].sum())
        if energy > 0:
            levels.append(10.0 * math.log10(energy))
            octaves.append(math.log2(centre))
    if len(levels) < 2:
        return 0.0
    return float(np.polyfit(octaves, levels, 1)[0])


def _tempo(flux: np.ndarray, frame_rate: float) -> float:
    if flux.size < 4 * 17:  # under ~1.5 s: no beat to speak of
        return 0.0
    envelope = flux - np.convolve(flux, np.ones(17) / 17, mode="same")
    # widen onset peaks past one frame so beat periods between two integer lags still score
    sigma = 0.025 * frame_rate
    offsets = np.arange(-math.ceil(3 * sigma), math.ceil(3 * sigma) + 1)
    envelope = np.convolve(np.maximum(envelope, 0.0), np.exp(-0.5 * (offsets / sigma) ** 2), "same")
    if envelope.size < 4 or not np.any(envelope > 0):
        return 0.0
    size = fft.next_fast_len(2 * envelope.size)
    spectrum_ = fft.rfft(envelope - envelope.mean(), size)
    autocorr = fft.irfft(np.abs(spectrum_) ** 2, size)[: envelope.size]
    lags = np.arange(autocorr.size, dtype=np.float64)
    min_lag = max(1, math.floor(60.0 * frame_rate / TEMPO_RANGE_BPM[1]))
    max_lag = min(autocorr.size - 2, math.ceil(60.0 * frame_rate / TEMPO_RANGE_BPM[0]))
    if max_lag <= min_lag or autocorr[0] <= 0:
        return 0.0
    candidate = lags[min_lag : max_lag + 1]
    bpm = 60.0 * frame_rate / candidate
    weight = np.exp(-0.5 * (np.log2(bpm / TEMPO_PRIOR_BPM) / 1.0) ** 2)
    scores = autocorr[min_lag : max_lag + 1] * weight
    best = int(np.argmax(scores)) + min_lag
    if autocorr[best] <= 0.05 * autocorr[0]:
        return 0.0
    left, centre, right = autocorr[best - 1], autocorr[best], autocorr[best + 1]
    denominator = left - 2.0 * centre + right
    offset = 0.5 * (left - right) / denominator if denominator < 0 else 0.0
    return float(60.0 * frame_rate / (best + offset))


def _onsets_per_s(flux: np.ndarray, frame_rate: float, duration_s: float) -> float:
    if flux.size < 3 or duration_s <= 0 or not np.any(flux > 0):
        return 0.0
    spread = max(1, round(0.05 * frame_rate))
    local_max = np.lib.stride_tricks.sliding_window_view(
        np.pad(flux, spread, mode="constant"), 2 * spread + 1
    ).max(axis=1)
    threshold = np.median(flux) + 2.0 * np.std(flux)
    peaks = (flux == local_max) & (flux > threshold) & (flux > 0)
    return float(np.count_nonzero(peaks)) / duration_s


def _stats(long_term, flatness, flux, n_fft, sample_rate, samples) -> SpectrumStats:
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    audible = (freqs >= 20.0) & (freqs < 20000.0)
    total = float(long_term[audible].sum())
    ratios = {
        name: float(long_term[(freqs >= lo) & (freqs < hi)].sum()) / total if total > 0 else 0.0
        for name, (lo, hi) in BANDS_HZ.items()
    }
    if total > 0:
        centroid = float(np.sum(freqs[audible] * long_term[audible]) / total)
        cumulative = np.cumsum(long_term[audible])
        rolloff = float(freqs[audible][np.searchsorted(cumulative, ROLLOFF_SHARE * total)])
    else:
        centroid = rolloff = 0.0
    frame_rate = sample_rate / (n_fft // 2)
    return SpectrumStats(
        band_ratios=ratios,
        centroid_hz=centroid,
        rolloff_hz=rolloff,
        flatness=flatness,
        tilt_db_per_octave=_tilt(freqs, long_term, sample_rate),
        tempo_bpm=_tempo(flux, frame_rate),
        onsets_per_s=_onsets_per_s(flux, frame_rate, samples / sample_rate),
    )


def analyse(mono: np.ndarray, sample_rate: int) -> SpectrumStats:
    """Spectral and rhythmic statistics of ``mono`` (float, frames) at ``sample_rate``."""
    meter = SpectrumMeter(sample_rate)
    meter.add(np.asarray(mono, dtype=np.float64))
    return meter.finish()
