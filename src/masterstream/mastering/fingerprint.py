"""Track fingerprint: 25 numbers that describe a whole track, computed once and stored.

Every field is a finite float (JSON-safe); silence and degenerate input give floor values
(-70 LUFS, -120 dB) instead of infinities. The fields, their units and meanings are listed
in :data:`FINGERPRINT_FIELDS`:

Loudness and dynamics — ``integrated_lufs`` (BS.1770-4 integrated loudness),
``loudness_range_lu`` (EBU Tech 3342 LRA), ``short_term_max_lufs``, ``sample_peak_dbfs``,
``true_peak_dbtp`` (4x oversampled), ``rms_dbfs``, ``crest_factor_db`` (sample peak over
RMS), ``plr_db`` (true peak over integrated loudness).

Spectrum — seven ``band_*_ratio`` fields (share of the 20 Hz–20 kHz energy in sub, bass,
low-mid, mid, high-mid, presence and brilliance bands; they sum to ~1),
``spectral_centroid_hz``, ``spectral_rolloff_hz``, ``spectral_flatness``,
``spectral_tilt_db_per_octave``.

Stereo, time and structure — ``stereo_width``, ``phase_correlation``, ``tempo_bpm``,
``transient_density_per_s``, ``silence_ratio``, ``duration_s``.

A :class:`FingerprintMeter` measures all of them in one pass over consecutive blocks
(filter states and window sums carried between blocks), holding a few floats per 100 ms
of audio, so a three-hour file costs no more memory than a song; the result equals a
whole-track analysis to float rounding (the tests hold every field to 1e-9).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import numpy as np
from numba import njit

from .buffers import BlockBuffers
from .cascade import planar_copy
from .loudness import loudness_range_lu
from .loudness_meter import EnergyTimeline, LoudnessMeter
from .peaks import TruePeakStream
from .spectrum import SpectrumMeter

LUFS_FLOOR = -70.0
DB_FLOOR = -120.0

FINGERPRINT_FIELDS: dict[str, tuple[str, str]] = {
    "duration_s": ("s", "track length"),
    "integrated_lufs": ("LUFS", "ITU-R BS.1770-4 gated integrated loudness"),
    "loudness_range_lu": ("LU", "EBU Tech 3342 loudness range: 10th-95th percentile of gated "
                          "3 s short-term loudness"),
    "short_term_max_lufs": ("LUFS", "loudest 3 s short-term loudness"),
    "sample_peak_dbfs": ("dBFS", "largest absolute sample value"),
    "true_peak_dbtp": ("dBTP", "largest 4x-oversampled inter-sample peak"),
    "rms_dbfs": ("dBFS", "root mean square over all samples and channels"),
    "crest_factor_db": ("dB", "sample peak minus RMS; low means dense/crushed"),
    "plr_db": ("dB", "peak-to-loudness ratio: true peak minus integrated loudness"),
    "band_sub_ratio": ("ratio", "share of 20 Hz-20 kHz energy in 20-60 Hz"),
    "band_bass_ratio": ("ratio", "share of energy in 60-250 Hz"),
    "band_low_mid_ratio": ("ratio", "share of energy in 250-500 Hz"),
    "band_mid_ratio": ("ratio", "share of energy in 500-2000 Hz"),
    "band_high_mid_ratio": ("ratio", "share of energy in 2-4 kHz"),
    "band_presence_ratio": ("ratio", "share of energy in 4-6 kHz"),
    "band_brilliance_ratio": ("ratio", "share of energy in 6-20 kHz"),
    "spectral_centroid_hz": ("Hz", "energy-weighted mean frequency of the long-term spectrum"),
    "spectral_rolloff_hz": ("Hz", "frequency below which 85% of the energy lies"),
    "spectral_flatness": ("ratio", "mean per-frame geometric/arithmetic ratio of ~64 "
                          "log-spaced band powers (0 tonal .. 1 white noise)"),
    "spectral_tilt_db_per_octave": ("dB/octave", "slope of the 1/3-octave long-term spectrum, "
                                    "50 Hz-16 kHz (0 = pink; brighter is higher)"),
    "stereo_width": ("ratio", "side RMS / (mid RMS + side RMS): 0 mono .. 1 pure side"),
    "phase_correlation": ("ratio", "left/right correlation coefficient: 1 mono, -1 out of phase"),
    "tempo_bpm": ("BPM", "dominant beat period from onset-envelope autocorrelation "
                  "(60-200 BPM, 0 when no beat)"),
    "transient_density_per_s": ("1/s", "detected onsets per second"),
    "silence_ratio": ("ratio", "share of 100 ms blocks quieter than -60 dBFS RMS"),
}  # fmt: skip

SILENCE_BLOCK_S = 0.1
SILENCE_THRESHOLD_DBFS = -60.0


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """The fingerprint of one track; see :data:`FINGERPRINT_FIELDS` for units and meanings."""

    duration_s: float
    integrated_lufs: float
    loudness_range_lu: float
    short_term_max_lufs: float
    sample_peak_dbfs: float
    true_peak_dbtp: float
    rms_dbfs: float
    crest_factor_db: float
    plr_db: float
    band_sub_ratio: float
    band_bass_ratio: float
    band_low_mid_ratio: float
    band_mid_ratio: float
    band_high_mid_ratio: float
    band_presence_ratio: float
    band_brilliance_ratio: float
    spectral_centroid_hz: float
    spectral_rolloff_hz: float
    spectral_flatness: float
    spectral_tilt_db_per_octave: float
    stereo_width: float
    phase_correlation: float
    tempo_bpm: float
    transient_density_per_s: float
    silence_ratio: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Fingerprint:
        """Rebuild from :meth:`to_dict` output; unknown keys are ignored, missing ones raise."""
        names = [f.name for f in fields(cls)]
        missing = [n for n in names if n not in data]
        if missing:
            raise ValueError(f"fingerprint is missing fields: {', '.join(missing)}")
        return cls(**{n: float(data[n]) for n in names})

    @property
    def low_end_ratio(self) -> float:
        """Share of energy below 250 Hz (sub + bass)."""
        return self.band_sub_ratio + self.band_bass_ratio

    @property
    def top_end_ratio(self) -> float:
        """Share of energy above 4 kHz (presence + brilliance)."""
        return self.band_presence_ratio + self.band_brilliance_ratio


BLOCK_FRAMES = 1 << 16  # frames per block when an in-memory track is measured


def _db(power: float, floor: float = DB_FLOOR) -> float:
    return max(10.0 * math.log10(power), floor) if power > 0 else floor


def _stereo(left_energy: float, right_energy: float, cross: float) -> tuple[float, float]:
    """(width, correlation) from the channel energies and their cross product."""
    # mid/side energies from the channel energies: (L +- R)^2 / 4 summed
    mid_rms = math.sqrt(max(left_energy + right_energy + 2 * cross, 0.0) / 4)
    side_rms = math.sqrt(max(left_energy + right_energy - 2 * cross, 0.0) / 4)
    width = side_rms / (mid_rms + side_rms) if mid_rms + side_rms > 0 else 0.0
    energy = math.sqrt(left_energy * right_energy)
    correlation = cross / energy if energy > 0 else 1.0
    return width, correlation


def _empty_fingerprint() -> Fingerprint:
    """Floor values for a track with no frames (nothing to measure)."""
    values = dict.fromkeys(FINGERPRINT_FIELDS, 0.0)
    values.update(integrated_lufs=LUFS_FLOOR, short_term_max_lufs=LUFS_FLOOR,
                  sample_peak_dbfs=DB_FLOOR, true_peak_dbtp=DB_FLOOR, rms_dbfs=DB_FLOOR,
                  phase_correlation=1.0, silence_ratio=1.0)  # fmt: skip
    return Fingerprint(**values)


@njit(cache=True, nogil=True, fastmath=True)
def _frame_sums(planar, power, mono, energies):  # pragma: no cover - compiled
    """Per frame: power (mean over channels) and mono mix; adds left.left, right.right and
    left.right to ``energies``; returns the largest |sample|."""
    channels, frames = planar.shape
    peak = 0.0
    if channels == 1:
        row = planar[0]
        for n in range(frames):
            v = row[n]
            power[n] = v * v
            mono[n] = v
            peak = max(peak, abs(v))
        return peak
    left, right = planar[0], planar[1]
    left_left = 0.0
    right_right = 0.0
    left_right = 0.0
    for n in range(frames):
        a = left[n]
        b = right[n]
        power[n] = (a * a + b * b) / 2.0
        mono[n] = (a + b) / 2.0
        peak = max(peak, max(abs(a), abs(b)))
        left_left += a * a
        right_right += b * b
        left_right += a * b
    energies[0] += left_left
    energies[1] += right_right
    energies[2] += left_right
    return peak


class FingerprintMeter:
    """Measures a track fed as consecutive ``(frames, channels)`` blocks, in memory that
    grows by a few floats per 100 ms; :meth:`result` is its :class:`Fingerprint`."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        self.sample_rate = sample_rate
        self.channels = channels
        self.loudness = LoudnessMeter(sample_rate, channels)
        self.spectrum = SpectrumMeter(sample_rate)
        self.true_peak = TruePeakStream(channels)
        self.silence_block = max(1, round(SILENCE_BLOCK_S * sample_rate))
        self.power = EnergyTimeline(self.silence_block)  # per-frame power / channels
        self.peak = 0.0
        self.envelope_peak = 0.0
        self.energies = np.zeros(3)  # left.left, right.right, left.right
        self._buffers = BlockBuffers()

    def add(self, block: np.ndarray) -> None:
        """Measure the next ``(frames, channels)`` block (float, or int16 at 1/32768)."""
        block = np.asarray(block)
        frames = block.shape[0]
        # a copy (K-weighted in place below: never the caller's array), reused every block
        planar = planar_copy(block, self._buffers.get("planar", (self.channels, frames)))
        if planar.shape[0] != self.channels:
            raise ValueError(f"expected {self.channels} channels, got {planar.shape[0]}")
        if planar.shape[1] == 0:
            return
        power, mono = self._buffers.get("power", (frames,)), self._buffers.get("mono", (frames,))
        self.peak = max(self.peak, _frame_sums(planar, power, mono, self.energies))
        self.power.add(power)
        # only stretches that could beat the running sample peak (<= the true peak) count
        envelope = self.true_peak.push(planar, floor=self.peak)
        self.envelope_peak = max(self.envelope_peak, float(np.max(envelope, initial=0.0)))
        self.spectrum.add(mono)
        self.loudness.add(planar, overwrite=True)  # last: it K-weights the samples in place

    def _silence_ratio(self) -> float:
        """Share of 100 ms blocks whose mean power (per channel) is under the threshold."""
        frames, block = self.power.frames, self.silence_block
        if frames < block:
            power = np.array([self.power.total / frames])
        else:
            power = self.power.energy(np.arange(frames // block) * block, block) / block
        return float(np.mean(power < 10.0 ** (SILENCE_THRESHOLD_DBFS / 10.0)))

    def result(self) -> Fingerprint:
        """The fingerprint of everything added (call once, after the last block)."""
        frames = self.power.frames
        if frames == 0:
            return _empty_fingerprint()
        last = self.true_peak.finish(floor=self.peak)
        envelope = max(self.envelope_peak, float(np.max(last, initial=0.0)))
        integrated = max(self.loudness.integrated_lufs(), LUFS_FLOOR)
        short_term = self.loudness.short_term_lufs()
        peak = self.peak
        sample_peak = 20.0 * math.log10(peak) if peak > 0 else DB_FLOOR
        true_peak = _db(envelope**2)
        rms = _db(self.power.total / frames)
        spec = self.spectrum.finish()
        width, correlation = (
            _stereo(*map(float, self.energies)) if self.channels >= 2 else (0.0, 1.0)
        )
        return Fingerprint(
            duration_s=frames / self.sample_rate,
            integrated_lufs=integrated,
            loudness_range_lu=loudness_range_lu(short_term),
            short_term_max_lufs=max(float(np.max(short_term)), LUFS_FLOOR),
            sample_peak_dbfs=sample_peak,
            true_peak_dbtp=true_peak,
            rms_dbfs=rms,
            crest_factor_db=sample_peak - rms if peak > 0 else 0.0,
            plr_db=true_peak - integrated if peak > 0 else 0.0,
            **spec.band_ratios,
            spectral_centroid_hz=spec.centroid_hz,
            spectral_rolloff_hz=spec.rolloff_hz,
            spectral_flatness=spec.flatness,
            spectral_tilt_db_per_octave=spec.tilt_db_per_octave,
            stereo_width=width,
            phase_correlation=correlation,
            tempo_bpm=spec.tempo_bpm,
            transient_density_per_s=spec.onsets_per_s,
            silence_ratio=self._silence_ratio(),
        )


def compute_fingerprint(audio: np.ndarray, sample_rate: int) -> Fingerprint:
    """Fingerprint of a whole track, ``audio`` float ``(frames, channels)`` at ``sample_rate``."""
    audio = np.asarray(audio)
    if audio.ndim == 1:
        audio = audio[:, np.newaxis]
    meter = FingerprintMeter(sample_rate, audio.shape[1])
    for start in range(0, audio.shape[0], BLOCK_FRAMES):
        meter.add(audio[start : start + BLOCK_FRAMES])
    return meter.result()
