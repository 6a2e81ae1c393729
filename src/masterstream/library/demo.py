"""The built-in demo library: deterministic, musically plausible tracks of contrasting character.

When no music library is configured, masterstream synthesises these into its data
directory on first use, so the server has something real to master on a fresh machine.
Each track is a short arrangement (drums, bass, chords, melody, reverb) rendered at its
own tempo and level: quiet and dynamic, loud and dense, bass-heavy, bright, sparse
acoustic-like, and a long evolving one, on two albums (one artist's album and a
compilation) with drawn cover art. Output is 16-bit FLAC tagged like a real library's;
the same seed always produces the same bytes.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from mutagen.flac import FLAC, Picture

from .covers import FRONT_COVER
from .demo_covers import COVER_SIZE_PX, CoverDesign, draw_cover
from .names import VARIOUS_ARTISTS
from .synth import Mixer, bass, bell, hat, kick, midi_hz, pad, pluck, reverb_ir, snare, sub

ProgressFn = Callable[[int, int, str], None]

# A i–VI–III–VII progression in A minor, as chord roots (MIDI) with triads.
PROGRESSION = [(57, [57, 60, 64]), (53, [53, 57, 60]), (60, [60, 64, 67]), (55, [55, 59, 62])]
SCALE = [57, 59, 60, 62, 64, 65, 67, 69, 71, 72, 74, 76]


@dataclass(frozen=True, slots=True)
class DemoAlbum:
    title: str
    artist: str  # the album artist
    year: int
    genre: str
    cover: CoverDesign
    compilation: bool = False


HARBOR_LIGHTS = DemoAlbum(
    "Harbor Lights", "Lumen Quartet", 2019, "Ambient",
    CoverDesign((28, 52, 84), (236, 196, 120), "rings"),
)  # fmt: skip
AFTER_HOURS = DemoAlbum(
    "After Hours, Vol. 1", VARIOUS_ARTISTS, 2023, "Electronic",
    CoverDesign((40, 16, 48), (230, 70, 110), "stripes"), compilation=True,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DemoTrack:
    slug: str
    title: str
    artist: str
    duration_s: float
    bpm: float
    sample_rate: int
    seed: int
    style: str
    album: DemoAlbum
    track_number: int


DEMO_TRACKS: tuple[DemoTrack, ...] = (
    DemoTrack("01-quiet-hours", "Quiet Hours", "Lumen Quartet", 150, 72, 44100, 11, "quiet",
              HARBOR_LIGHTS, 1),
    DemoTrack("02-wall-of-sound", "Wall of Sound", "The Pressure", 120, 128, 44100, 22, "loud",
              AFTER_HOURS, 1),
    DemoTrack("03-subterranean", "Subterranean", "Low End Club", 135, 90, 44100, 33, "bass",
              AFTER_HOURS, 2),
    DemoTrack("04-glass-harbor", "Glass Harbor", "Lumen Quartet", 110, 110, 48000, 44, "bright",
              HARBOR_LIGHTS, 2),
    DemoTrack("05-cedar-porch", "Cedar Porch", "Lumen Quartet", 80, 84, 44100, 55, "sparse",
              HARBOR_LIGHTS, 3),
    DemoTrack("06-long-drive", "Long Drive", "Night Transit", 240, 118, 44100, 66, "long",
              AFTER_HOURS, 3),
)  # fmt: skip


def _beats(track: DemoTrack, duration_s: float) -> np.ndarray:
    return np.arange(0.0, duration_s, 60.0 / track.bpm)


def _drums(m: Mixer, beats: np.ndarray, rng: np.random.Generator, *, level: float = 1.0,
           hats: bool = True, fill_every: int = 16) -> None:  # fmt: skip
    if beats.size == 0:
        return
    sr, step = m.sample_rate, 60.0 / m.bpm
    k = kick(sr)
    snares = [snare(sr, rng) for _ in range(4)]
    hats_ = [hat(sr, rng) for _ in range(8)]
    for i, b in enumerate(beats):
        if i % 4 in (0, 2) or (i % fill_every == fill_every - 1):
            m.add(k, b, gain=0.9 * level)
        if i % 4 in (1, 3):
            m.add(snares[i % 4], b, gain=0.55 * level, pan=0.05)
        if hats:
            for half in (0.0, 0.5):
                m.add(hats_[rng.integers(8)], b + half * step,
                      gain=0.3 * level * rng.uniform(0.7, 1.0), pan=0.35)  # fmt: skip


def _harmony(m: Mixer, beats: np.ndarray, rng: np.random.Generator, *, pad_gain: float,
             bass_gain: float, octave: int = 0, bass_cutoff_hz: float = 500.0,
             bass_drive: float = 1.0, pad_cutoff_hz: float = 2500.0) -> None:  # fmt: skip
    bar_s = 4 * 60.0 / m.bpm
    for bar, start in enumerate(np.arange(0.0, m.duration_s, bar_s)):
        root, triad = PROGRESSION[bar % len(PROGRESSION)]
        if pad_gain:
            chord = tuple(n + 12 * octave for n in triad)
            m.add(pad(m.sample_rate, chord, bar_s, cutoff_hz=pad_cutoff_hz), start,
                  gain=pad_gain, pan=-0.2)  # fmt: skip
        if bass_gain:
            for q in range(4):
                note = root - 24 + (7 if q == 2 else 0)
                m.add(bass(m.sample_rate, note, bar_s / 4 * 0.9, cutoff_hz=bass_cutoff_hz,
                           drive=bass_drive), start + q * bar_s / 4, gain=bass_gain)  # fmt: skip


def _melody(m: Mixer, beats: np.ndarray, rng: np.random.Generator, *, gain: float, octave: int,
            density: float, voice: str = "pluck", pan: float = 0.25) -> None:  # fmt: skip
    step = 30.0 / m.bpm
    degree = 4
    for t0 in np.arange(0.0, m.duration_s, step):
        if rng.random() > density:
            continue
        degree = int(np.clip(degree + rng.integers(-2, 3), 0, len(SCALE) - 1))
        note = SCALE[degree] + 12 * octave
        length = step * int(rng.choice([1, 2, 3]))
        tone = (
            bell(m.sample_rate, note, length * 2)
            if voice == "bell"
            else pluck(m.sample_rate, note, length * 2, brightness=0.8)
        )
        m.add(tone, t0, gain=gain * rng.uniform(0.7, 1.0), pan=pan * rng.uniform(-1, 1))


def _compose(track: DemoTrack, duration_s: float) -> np.ndarray:
    rng = np.random.default_rng(track.seed)
    sr = track.sample_rate
    m = Mixer(duration_s, sr, bpm=track.bpm)
    beats = _beats(track, duration_s)
    if track.style == "quiet":
        _harmony(m, beats, rng, pad_gain=0.25, bass_gain=0.0, pad_cutoff_hz=1500)
        _melody(m, beats, rng, gain=0.5, octave=0, density=0.45)
        m.add_reverb(reverb_ir(sr, rng, decay_s=2.5), 0.35)
        m.apply_gain_curve(np.array([-18, -10, -22, -4, -14, -26, -8, -20], dtype=float))
        return _normalise_peak(m.buffer, -6.0)
    if track.style == "loud":
        _drums(m, beats, rng, level=1.2)
        _harmony(m, beats, rng, pad_gain=0.5, bass_gain=0.6, bass_drive=3.0, pad_cutoff_hz=5000)
        _melody(m, beats, rng, gain=0.35, octave=1, density=0.7)
        crushed = np.tanh(3.0 * _normalise_peak(m.buffer, 0.0))
        return _normalise_peak(crushed, -0.3)
    if track.style == "bass":
        _drums(m, beats, rng, level=0.8, hats=False)
        bar_s = 4 * 60.0 / track.bpm
        for bar, start in enumerate(np.arange(0.0, duration_s, bar_s)):
            m.add(sub(sr, PROGRESSION[bar % 4][0] - 24, bar_s * 0.95), start, gain=0.9)
        _harmony(m, beats, rng, pad_gain=0.12, bass_gain=0.4, bass_cutoff_hz=180, pad_cutoff_hz=900)
        return _normalise_peak(m.buffer, -3.0)
    if track.style == "bright":
        _drums(m, beats, rng, level=0.5)
        ticks = [hat(sr, rng, decay_s=0.03) for _ in range(4)]
        for b in beats:
            for q in (0.0, 0.25, 0.5, 0.75):
                m.add(ticks[rng.integers(4)], b + q * 60 / track.bpm, gain=0.25, pan=-0.5)
        _melody(m, beats, rng, gain=0.4, octave=2, density=0.8, voice="bell", pan=0.6)
        _harmony(m, beats, rng, pad_gain=0.2, bass_gain=0.0, octave=1, pad_cutoff_hz=9000)
        m.add_reverb(reverb_ir(sr, rng, decay_s=1.2), 0.2)
        return _normalise_peak(m.buffer, -2.0)
    if track.style == "sparse":
        bar_s = 4 * 60.0 / track.bpm
        for bar, start in enumerate(np.arange(0.0, duration_s, bar_s)):
            if bar % 4 == 3:
                continue  # a bar of silence every four
            _, triad = PROGRESSION[bar % 4]
            for i, note in enumerate([triad[0] - 12, *triad, triad[1] + 12]):
                tone = pluck(sr, note, 2.5, brightness=0.65, inharmonicity=1e-4)
                m.add(tone, start + i * 0.09, gain=0.35, pan=-0.3 + 0.15 * i)
        m.add_reverb(reverb_ir(sr, rng, decay_s=1.0), 0.15)
        return _normalise_peak(m.buffer, -4.0)
    # "long": an evolving arrangement in sections.
    section = duration_s / 6
    _harmony(m, beats, rng, pad_gain=0.3, bass_gain=0.45)
    _drums(m, beats[(beats >= section) & (beats < 4 * section)], rng, level=0.9)
    _drums(m, beats[beats >= 5 * section], rng, level=0.7, hats=False)
    _melody(m, beats, rng, gain=0.3, octave=1, density=0.5)
    m.add_reverb(reverb_ir(sr, rng, decay_s=1.8), 0.25)
    m.apply_gain_curve(np.array([-10, -4, 0, 0, -8, -2, -12], dtype=float))
    return _normalise_peak(m.buffer, -1.0)


def _normalise_peak(audio: np.ndarray, peak_dbfs: float) -> np.ndarray:
    peak = float(np.max(np.abs(audio)))
    return audio if peak == 0 else audio * (10 ** (peak_dbfs / 20) / peak)


def synthesize_track(track: DemoTrack, *, duration_scale: float = 1.0) -> np.ndarray:
    """The track's audio as float64 ``(frames, 2)``."""
    if duration_scale <= 0:
        raise ValueError("duration_scale must be positive")
    return _compose(track, track.duration_s * duration_scale)


def synthesize_demo_library(
    directory: Path, *, duration_scale: float = 1.0, progress: ProgressFn | None = None
) -> list[Path]:
    """Write every demo track into ``directory`` (skipping ones already there), tagged
    with its album, artist, track number, year, genre and the album's cover art.

    Files are written to a temporary name and renamed, so an interrupted run never
    leaves a half-written track behind. ``duration_scale`` shortens tracks for tests.
    """
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, track in enumerate(DEMO_TRACKS):
        path = directory / f"{track.slug}.flac"
        if progress:
            progress(i, len(DEMO_TRACKS), track.title)
        if not path.exists():
            audio = synthesize_track(track, duration_scale=duration_scale)
            tmp = path.with_suffix(".flac.part")
            sf.write(tmp, audio, track.sample_rate, format="FLAC", subtype="PCM_16")
            tag_demo_track(tmp, track)
            tmp.replace(path)
        elif "album" not in FLAC(path):  # written by a version without albums: tag it now
            tag_demo_track(path, track)
        paths.append(path)
    if progress:
        progress(len(DEMO_TRACKS), len(DEMO_TRACKS), "done")
    return paths


def synthesize_in_child(directory: Path) -> list[Path]:
    """:func:`synthesize_demo_library` in a child process: synthesis holds whole tracks in
    memory (about 1.2 GB at its peak), which a long-running server should never keep."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as child:
        return child.submit(synthesize_demo_library, directory).result()


def tag_demo_track(path: Path, track: DemoTrack) -> None:
    """Vorbis comments and an embedded front cover, written with mutagen."""
    album = track.album
    flac = FLAC(path)
    flac.delete()
    flac.clear_pictures()
    fields = {
        "title": track.title, "artist": track.artist, "album": album.title,
        "albumartist": album.artist, "tracknumber": str(track.track_number),
        "tracktotal": str(sum(t.album == album for t in DEMO_TRACKS)), "discnumber": "1",
        "date": str(album.year), "genre": album.genre,
    }  # fmt: skip
    if album.compilation:
        fields["compilation"] = "1"
    for name, value in fields.items():
        flac[name] = value
    picture = Picture()
    picture.type, picture.mime, picture.desc = FRONT_COVER, "image/png", "front cover"
    picture.data = draw_cover(album.cover)
    picture.width = picture.height = COVER_SIZE_PX
    picture.depth = 24
    flac.add_picture(picture)
    flac.save()


__all__ = [
    "DEMO_TRACKS",
    "DemoAlbum",
    "DemoTrack",
    "midi_hz",
    "synthesize_demo_library",
    "synthesize_in_child",
    "synthesize_track",
]
