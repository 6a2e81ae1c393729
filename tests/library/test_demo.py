import hashlib
import io

import numpy as np
import pyloudnorm
import pytest
from mutagen.flac import FLAC
from PIL import Image
from scipy import signal

from masterstream.audio.decode import read_all, read_info
from masterstream.library.covers import embedded_cover
from masterstream.library.demo import DEMO_TRACKS, synthesize_demo_library, synthesize_track
from masterstream.library.names import VARIOUS_ARTISTS
from masterstream.library.tags import read_tags


def test_demo_library_has_six_contrasting_stereo_tracks_of_one_to_four_minutes():
    assert len(DEMO_TRACKS) >= 6
    assert all(60 <= t.duration_s <= 240 for t in DEMO_TRACKS)
    assert len({t.style for t in DEMO_TRACKS}) == len(DEMO_TRACKS)


def test_demo_files_are_tagged_stereo_flac(demo_library_dir):
    files = sorted(demo_library_dir.glob("*.flac"))
    assert len(files) == len(DEMO_TRACKS)
    for path, track in zip(files, DEMO_TRACKS, strict=True):
        info = read_info(path)
        assert (info.channels, info.sample_rate) == (2, track.sample_rate)
        assert (info.title, info.artist) == (track.title, track.artist)
    assert not list(demo_library_dir.glob("*.part"))


def test_demo_library_is_two_albums_with_numbers_years_and_cover_art(demo_library_dir):
    files = sorted(demo_library_dir.glob("*.flac"))
    tags = [read_tags(p) for p in files]
    albums = {(t.album, t.album_artist) for t in tags}
    assert albums == {("Harbor Lights", "Lumen Quartet"), ("After Hours, Vol. 1", VARIOUS_ARTISTS)}
    for album in albums:
        numbers = sorted(t.track_number for t in tags if (t.album, t.album_artist) == album)
        assert numbers == [1, 2, 3]
    assert all(t.year and t.genres and t.has_embedded_cover for t in tags)
    assert sum(t.compilation for t in tags) == 3
    covers = {embedded_cover(p) for p in files}
    assert len(covers) == 2  # one design per album
    for data in covers:
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "PNG" and image.size == (600, 600)


def test_synthesis_is_deterministic(tmp_path):
    a = synthesize_demo_library(tmp_path / "a", duration_scale=0.05)
    b = synthesize_demo_library(tmp_path / "b", duration_scale=0.05)
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in a]
    assert digest == [hashlib.sha256(p.read_bytes()).hexdigest() for p in b]


def _measure(path):
    audio, rate = read_all(path)
    audio = audio.astype(np.float64)
    lufs = pyloudnorm.Meter(rate).integrated_loudness(audio)
    crest_db = 20 * np.log10(np.max(np.abs(audio)) / np.sqrt(np.mean(audio**2)))
    freqs, psd = signal.welch(audio.mean(axis=1), rate, nperseg=8192)
    low = psd[freqs < 150].sum() / psd.sum()
    high = psd[freqs > 4000].sum() / psd.sum()
    return {"lufs": lufs, "crest_db": crest_db, "low": low, "high": high}


@pytest.fixture(scope="module")
def measured(demo_library_dir):
    return {t.style: _measure(demo_library_dir / f"{t.slug}.flac") for t in DEMO_TRACKS}


def test_characters_contrast_as_described(measured):
    assert measured["loud"]["lufs"] > measured["quiet"]["lufs"] + 10
    assert measured["loud"]["crest_db"] < measured["quiet"]["crest_db"] - 6
    others = {s: m for s, m in measured.items() if s not in ("bass", "bright")}
    assert measured["bass"]["low"] > max(m["low"] for m in others.values()) + 0.15
    assert measured["bright"]["high"] > 5 * max(m["high"] for m in others.values())
    assert measured["bright"]["low"] < 0.5 * measured["bass"]["low"]


def test_sparse_track_has_real_silences():
    track = next(t for t in DEMO_TRACKS if t.style == "sparse")
    audio = synthesize_track(track, duration_scale=0.5)
    block = track.sample_rate // 10
    blocks = audio[: audio.shape[0] // block * block].reshape(-1, block, 2)
    rms_db = 10 * np.log10(np.mean(blocks**2, axis=(1, 2)) + 1e-20)
    assert np.mean(rms_db < rms_db.max() - 40) > 0.05


def test_an_untagged_demo_file_from_an_older_version_gets_tagged(tmp_path):
    paths = synthesize_demo_library(tmp_path, duration_scale=0.02)
    old = FLAC(paths[0])
    old.delete()  # as the version before albums wrote it: no album
    old.clear_pictures()
    old.save()
    synthesize_demo_library(tmp_path, duration_scale=0.02)
    tags = read_tags(paths[0])
    assert tags.album == DEMO_TRACKS[0].album.title and tags.has_embedded_cover
