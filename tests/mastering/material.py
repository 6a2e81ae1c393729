"""Synthesised, deterministic test material for the mastering engine.

``music`` is a 120 BPM groove: kick, snare, hats, a bass line and stereo chords, with an
intro, a full section and a quieter breakdown. The contrasting kinds reshape it the way
real masters differ: ``bass_heavy`` (sub-heavy, dull top), ``thin`` (no low end, bright),
``crushed`` (driven into a clipper: loud, dense, low crest factor) and ``quiet_dynamic``
(quiet, with large level swings).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import signal

from masterstream.mastering import compute_fingerprint, plan_mastering

BPM = 120.0
KINDS = ("music", "bass_heavy", "thin", "crushed", "quiet_dynamic")


def _filter(x: np.ndarray, kind: str, cutoff_hz: float | list[float], sr: int) -> np.ndarray:
    sos = signal.butter(2, cutoff_hz, btype=kind, fs=sr, output="sos")
    return signal.sosfilt(sos, x)


def _place(track: np.ndarray, sound: np.ndarray, start: int, gains: tuple[float, float]) -> None:
    stop = min(track.shape[0], start + sound.shape[0])
    if stop > start:
        track[start:stop, 0] += gains[0] * sound[: stop - start]
        track[start:stop, 1] += gains[1] * sound[: stop - start]


def _stems(duration_s: float, sr: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    frames = round(duration_s * sr)
    beat = round(60.0 / BPM * sr)
    stems = {name: np.zeros((frames, 2)) for name in ("kick", "snare", "hats", "bass", "chords")}
    t = np.arange(round(0.35 * sr)) / sr
    kick = np.sin(2 * np.pi * (45 * t + 75 * (1 - np.exp(-t * 30)) / 30)) * np.exp(-t * 9)
    tn = np.arange(round(0.2 * sr)) / sr
    snare = (_filter(rng.standard_normal(tn.size), "bandpass", [900, 7000], sr) * 0.6
             + 0.5 * np.sin(2 * np.pi * 190 * tn)) * np.exp(-tn * 22)  # fmt: skip
    th = np.arange(round(0.05 * sr)) / sr
    hat = _filter(rng.standard_normal(th.size), "highpass", 7000, sr) * np.exp(-th * 80)
    roots = [40, 40, 45, 43]  # MIDI: E2 E2 A2 G2
    chords = [(64, 67, 71), (64, 67, 71), (69, 72, 76), (67, 71, 74)]
    bar = 4 * beat
    for b, start in enumerate(range(0, frames, beat)):
        accent = 1.0 if b % 2 == 0 else 0.85
        _place(stems["kick"], kick, start, (accent, accent))
        if b % 2 == 1:
            _place(stems["snare"], snare, start, (0.9, 0.8))
        for half in (0, beat // 2):
            velocity = 0.5 + 0.3 * rng.random()
            _place(stems["hats"], hat, start + half, (0.6 * velocity, velocity))
    for k, start in enumerate(range(0, frames, bar)):
        root = 440.0 * 2 ** ((roots[k % 4] - 69) / 12)
        tb = np.arange(beat // 2) / sr
        note = (2 * ((root * tb) % 1.0) - 1) * np.exp(-tb * 4)
        note = _filter(note, "lowpass", 600, sr)
        for eighth in range(8):
            _place(stems["bass"], note, start + eighth * (beat // 2), (0.8, 0.8))
        tc = np.arange(bar) / sr
        pad = sum(
            2 * ((440.0 * 2 ** ((m - 69) / 12) * (1 + d) * tc) % 1.0) - 1
            for m in chords[k % 4]
            for d in (-0.003, 0.003)
        )
        pad = _filter(pad * np.minimum(1, tc * 8) * np.exp(-tc * 0.6), "lowpass", 3000, sr)
        _place(stems["chords"], pad, start, (0.09, 0.06))
    return stems


def _section_envelope(frames: int, sr: int, levels: tuple[float, float, float]) -> np.ndarray:
    """Intro / full / breakdown / full gain curve, with short fades between sections."""
    bar = round(4 * 60.0 / BPM * sr)
    pattern = [levels[0]] * 2 + [levels[1]] * 3 + [levels[2]] * 2 + [levels[1]] * 100
    steps = np.repeat(pattern, bar)[:frames]
    steps = np.pad(steps, (0, max(0, frames - steps.size)), mode="edge")
    smooth = np.ones(round(0.05 * sr)) / round(0.05 * sr)
    return np.convolve(steps, smooth, mode="same")[:, np.newaxis]


@lru_cache(maxsize=32)
def make_track(kind: str, sample_rate: int = 44100, duration_s: float = 20.0,
               channels: int = 2, seed: int = 7) -> np.ndarray:  # fmt: skip
    """Deterministic test track: float32 ``(frames, channels)``, read-only."""
    s = _stems(duration_s, sample_rate, seed)
    frames = s["kick"].shape[0]
    if kind in ("music", "crushed", "quiet_dynamic"):
        mix = 0.55 * s["kick"] + 0.35 * s["snare"] + 0.2 * s["hats"] + 0.45 * s["bass"]
        mix += s["chords"]
    elif kind == "bass_heavy":
        mix = 0.9 * s["kick"] + 0.2 * s["snare"] + 0.9 * s["bass"] + 0.5 * s["chords"]
        mix = _filter(mix, "lowpass", 2500, sample_rate) * 0.9
    elif kind == "thin":
        mix = 0.35 * s["snare"] + 0.35 * s["hats"] + 1.2 * s["chords"]
        mix = _filter(mix, "highpass", 400, sample_rate)
    else:
        raise ValueError(f"unknown kind {kind!r}")
    if kind == "crushed":
        mix = np.tanh(6.0 * mix) * 0.95
    elif kind == "quiet_dynamic":
        mix = mix * _section_envelope(frames, sample_rate, (0.08, 0.5, 0.03)) * 0.5
    else:
        mix = mix * _section_envelope(frames, sample_rate, (0.5, 1.0, 0.6))
        mix *= 0.7 / np.max(np.abs(mix))
    if channels == 1:
        mix = mix.mean(axis=1, keepdims=True)
    out = np.ascontiguousarray(mix, dtype=np.float32)
    out.flags.writeable = False
    return out


@lru_cache(maxsize=64)
def make_plan(preset: str, kind: str = "music", sample_rate: int = 44100,
              duration_s: float = 20.0, channels: int = 2):  # fmt: skip
    """Fingerprint and plan of a :func:`make_track` track, memoised across tests."""
    audio = make_track(kind, sample_rate, duration_s, channels)
    fingerprint = compute_fingerprint(audio, sample_rate)
    return fingerprint, plan_mastering(preset, fingerprint, audio, sample_rate)
