"""Instruments and mixing for the demo library: small, deterministic synthesis voices.

Every voice is a pure function of its parameters and a seeded ``numpy`` generator, so
the demo library is byte-identical on every machine. Voices return float64 mono arrays;
:class:`Mixer` places them in a stereo buffer at a given time, gain and pan.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import signal

# Pure voices are memoised: an arrangement reuses the same few notes hundreds of times.
_voice_cache = lru_cache(maxsize=512)


def midi_hz(note: float) -> float:
    return 440.0 * 2.0 ** ((note - 69.0) / 12.0)


def _t(duration_s: float, sample_rate: int) -> np.ndarray:
    return np.arange(round(duration_s * sample_rate)) / sample_rate


def _lowpass(x: np.ndarray, cutoff_hz: float, sample_rate: int, order: int = 2) -> np.ndarray:
    sos = signal.butter(order, min(cutoff_hz, 0.45 * sample_rate), fs=sample_rate, output="sos")
    return signal.sosfilt(sos, x)


def _saw(phase_cycles: np.ndarray) -> np.ndarray:
    """A naive sawtooth in [-1, 1) from phase in cycles (voices low-pass it afterwards)."""
    return 2.0 * (phase_cycles % 1.0) - 1.0


def _frozen(x: np.ndarray) -> np.ndarray:
    x.flags.writeable = False
    return x


def _highpass(x: np.ndarray, cutoff_hz: float, sample_rate: int, order: int = 2) -> np.ndarray:
    sos = signal.butter(order, cutoff_hz, btype="highpass", fs=sample_rate, output="sos")
    return signal.sosfilt(sos, x)


@_voice_cache
def kick(sample_rate: int, *, decay_s: float = 0.35, punch: float = 1.0) -> np.ndarray:
    t = _t(decay_s * 1.5, sample_rate)
    freq = 45.0 + 90.0 * np.exp(-t / 0.04)
    phase = 2 * np.pi * np.cumsum(freq) / sample_rate
    body = np.sin(phase) * np.exp(-t / decay_s * 3)
    click = np.exp(-t / 0.002) * punch * 0.5
    return _frozen(body + click)


def snare(sample_rate: int, rng: np.random.Generator, *, decay_s: float = 0.18) -> np.ndarray:
    t = _t(decay_s * 1.5, sample_rate)
    noise = _highpass(rng.standard_normal(t.size), 1200, sample_rate) * np.exp(-t / decay_s * 4)
    tone = np.sin(2 * np.pi * 185 * t) * np.exp(-t / 0.05)
    return 0.5 * noise + 0.6 * tone


def hat(sample_rate: int, rng: np.random.Generator, *, decay_s: float = 0.05) -> np.ndarray:
    t = _t(decay_s * 2, sample_rate)
    noise = _highpass(rng.standard_normal(t.size), 7000, sample_rate, order=4)
    return 0.4 * noise * np.exp(-t / decay_s * 3)


@_voice_cache
def bass(
    sample_rate: int, note: float, duration_s: float, *, cutoff_hz: float = 500, drive: float = 1.0
) -> np.ndarray:
    t = _t(duration_s, sample_rate)
    f = midi_hz(note)
    raw = _saw(f * t) * 0.5 + np.sin(2 * np.pi * f * t)
    env = np.minimum(1.0, t / 0.005) * np.exp(-t / (duration_s * 2.5))
    tone = _lowpass(raw * env, cutoff_hz, sample_rate)
    return _frozen(np.tanh(drive * tone) / max(np.tanh(drive), 1e-9))


@_voice_cache
def sub(sample_rate: int, note: float, duration_s: float) -> np.ndarray:
    t = _t(duration_s, sample_rate)
    env = np.minimum(1.0, t / 0.01) * np.minimum(1.0, (duration_s - t) / 0.05)
    return _frozen(np.sin(2 * np.pi * midi_hz(note) * t) * env)


@_voice_cache
def pad(
    sample_rate: int, notes: tuple[float, ...], duration_s: float, *, cutoff_hz: float = 2500
) -> np.ndarray:
    t = _t(duration_s, sample_rate)
    out = np.zeros(t.size)
    for note in notes:
        for phase0, detune in ((0.0, -0.08), (0.37, 0.0), (0.71, 0.07)):
            out += _saw(midi_hz(note + detune) * t + phase0)
    attack, release = min(0.4, duration_s / 3), min(0.6, duration_s / 3)
    env = np.minimum(1.0, t / attack) * np.minimum(1.0, (duration_s - t) / release)
    return _frozen(_lowpass(out * env, cutoff_hz, sample_rate) / (3 * len(notes)))


@_voice_cache
def pluck(
    sample_rate: int, note: float, duration_s: float, *, brightness: float = 1.0,
    harmonics: int = 14, inharmonicity: float = 0.0,
) -> np.ndarray:  # fmt: skip
    """Plucked string / piano-like tone: decaying harmonics, higher ones decaying faster."""
    t = _t(duration_s, sample_rate)
    f0 = midi_hz(note)
    out = np.zeros(t.size)
    for k in range(1, harmonics + 1):
        fk = f0 * k * np.sqrt(1 + inharmonicity * k * k)
        if fk > 0.45 * sample_rate:
            break
        amp = brightness ** (k - 1) / k
        out += amp * np.sin(2 * np.pi * fk * t) * np.exp(-t * (1.5 + 0.9 * k))
    return _frozen(out * np.minimum(1.0, t / 0.002))


@_voice_cache
def bell(sample_rate: int, note: float, duration_s: float) -> np.ndarray:
    t = _t(duration_s, sample_rate)
    f = midi_hz(note)
    mod = np.sin(2 * np.pi * f * 3.5 * t) * 2.0 * np.exp(-t / 0.4)
    return _frozen(np.sin(2 * np.pi * f * t + mod) * np.exp(-t / (duration_s / 3)))


def reverb_ir(sample_rate: int, rng: np.random.Generator, *, decay_s: float = 1.6) -> np.ndarray:
    """A decorrelated stereo impulse response, shape ``(frames, 2)``."""
    t = _t(decay_s, sample_rate)
    env = np.exp(-t / decay_s * 6.9)
    ir = rng.standard_normal((t.size, 2)) * env[:, None]
    ir = _lowpass(ir.T, 6000, sample_rate).T
    return ir / np.sqrt(np.sum(ir**2, axis=0, keepdims=True))


class Mixer:
    """A stereo float64 buffer that voices are added into."""

    def __init__(self, duration_s: float, sample_rate: int, *, bpm: float = 120.0) -> None:
        self.sample_rate = sample_rate
        self.duration_s = duration_s
        self.bpm = bpm
        self.buffer = np.zeros((round(duration_s * sample_rate), 2))

    def add(self, voice: np.ndarray, at_s: float, *, gain: float = 1.0, pan: float = 0.0) -> None:
        start = round(at_s * self.sample_rate)
        if start >= self.buffer.shape[0]:
            return
        voice = voice[: self.buffer.shape[0] - start]
        angle = (pan + 1) * np.pi / 4  # constant-power pan, pan in [-1, 1]
        self.buffer[start : start + voice.size, 0] += voice * gain * np.cos(angle)
        self.buffer[start : start + voice.size, 1] += voice * gain * np.sin(angle)

    def add_reverb(self, ir: np.ndarray, wet: float) -> None:
        wet_signal = np.stack(
            [
                signal.oaconvolve(self.buffer[:, c], ir[:, c])[: self.buffer.shape[0]]
                for c in (0, 1)
            ],
            axis=1,
        )
        self.buffer = self.buffer + wet * wet_signal

    def apply_gain_curve(self, curve_db: np.ndarray) -> None:
        """Multiply by a gain curve given at evenly spaced points over the whole buffer."""
        positions = np.linspace(0, self.buffer.shape[0], curve_db.size)
        gain_db = np.interp(np.arange(self.buffer.shape[0]), positions, curve_db)
        self.buffer *= (10 ** (gain_db / 20))[:, None]
