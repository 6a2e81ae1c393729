import os
import shutil
import time

import numpy as np
import pytest

from masterstream.audio.decode import read_all
from masterstream.library.catalog import Catalog
from masterstream.library.records import FileStamp
from masterstream.library.scanner import ScanReport, analyse, scan
from tests.conftest import write_tone


@pytest.fixture
def catalog(catalog_target):
    with Catalog(catalog_target) as catalog:
        yield catalog


def peak_fingerprinter(path):
    """A small real fingerprint: decodes the whole file like the real one does."""
    audio, rate = read_all(path)
    return {"peak": float(np.max(np.abs(audio))), "sample_rate": rate}


def test_scan_adds_updates_removes_and_skips(tmp_path, catalog):
    music = tmp_path / "music"
    (music / "album").mkdir(parents=True)
    write_tone(music / "a.wav", duration_s=1.0)
    write_tone(music / "album" / "b.flac", duration_s=1.0, amplitude=0.25)
    (music / "broken.mp3").write_bytes(b"\x00not an mp3" * 50)
    (music / "notes.txt").write_text("ignored: not audio")

    first = scan(catalog, music, fingerprinter=peak_fingerprinter)
    assert len(first.added) == 2 and not first.updated and not first.removed
    assert [p for p, _ in first.skipped] == [str((music / "broken.mp3").resolve())]
    assert "not a decodable audio file" in first.skipped[0][1]
    b = catalog.find_by_path(str((music / "album" / "b.flac").resolve()))
    assert (
        b.fingerprint["peak"] == np.float32(0.25).item() or abs(b.fingerprint["peak"] - 0.25) < 1e-3
    )

    second = scan(catalog, music, fingerprinter=peak_fingerprinter)
    assert len(second.unchanged) == 2 and not second.added and not second.updated

    write_tone(music / "a.wav", duration_s=1.0, amplitude=0.1)  # new content, same path
    os.utime(music / "a.wav", ns=(1, 1))
    (music / "album" / "b.flac").unlink()
    third = scan(catalog, music, fingerprinter=peak_fingerprinter)
    a = catalog.find_by_path(str((music / "a.wav").resolve()))
    assert third.updated == [a.id] and len(third.removed) == 1
    assert abs(a.fingerprint["peak"] - 0.1) < 1e-3
    assert catalog.count_tracks() == 1


def test_touched_but_identical_file_is_not_refingerprinted(tmp_path, catalog):
    music = tmp_path / "music"
    music.mkdir()
    write_tone(music / "a.wav", duration_s=0.5)
    calls = []

    def counting(path):
        calls.append(path)
        return peak_fingerprinter(path)

    scan(catalog, music, fingerprinter=counting)
    os.utime(music / "a.wav", ns=(5, 5))  # mtime changes, bytes do not
    report = scan(catalog, music, fingerprinter=counting)
    assert len(calls) == 1 and len(report.unchanged) == 1


def test_scanning_two_libraries_keeps_both(tmp_path, catalog):
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        write_tone(tmp_path / name / "x.wav", duration_s=0.5)
    scan(catalog, tmp_path / "one", fingerprinter=peak_fingerprinter)
    report = scan(catalog, tmp_path / "two", fingerprinter=peak_fingerprinter)
    assert not report.removed and catalog.count_tracks() == 2
    shutil.rmtree(tmp_path / "two")
    (tmp_path / "two").mkdir()
    assert len(scan(catalog, tmp_path / "two", fingerprinter=peak_fingerprinter).removed) == 1


def _same_size_other_bytes(path, *, seed=1):
    """New content of the same length, with the old modification time restored."""
    before = path.stat()
    time.sleep(0.05)  # past the file system's timestamp granularity
    write_tone(path, duration_s=1.0, frequency_hz=300.0 + seed, amplitude=0.3)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    return before, after


def test_new_content_under_an_old_size_and_mtime_is_noticed(tmp_path, catalog):
    music = tmp_path / "music"
    music.mkdir()
    write_tone(music / "a.wav", duration_s=1.0)
    first = scan(catalog, music, fingerprinter=peak_fingerprinter)
    old = catalog.get_track(first.added[0])
    before, after = _same_size_other_bytes(music / "a.wav")
    assert after.st_ctime_ns != before.st_ctime_ns  # what stat cannot set back
    report = scan(catalog, music, fingerprinter=peak_fingerprinter)
    new = catalog.get_track(old.id)
    assert report.updated == [old.id] and report.analysed == [old.id]
    assert new.signature != old.signature and not new.unchanged_on_disk(FileStamp.of(before))
    assert abs(new.fingerprint["peak"] - 0.3) < 1e-3


def test_a_file_replaced_by_rename_is_noticed_by_its_inode(tmp_path, catalog):
    music = tmp_path / "music"
    music.mkdir()
    write_tone(music / "a.wav", duration_s=1.0)
    track_id = scan(catalog, music).added[0]
    stat = (music / "a.wav").stat()
    write_tone(tmp_path / "staged.wav", duration_s=1.0, frequency_hz=500.0)
    os.utime(tmp_path / "staged.wav", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(tmp_path / "staged.wav", music / "a.wav")  # as sync tools do
    assert (music / "a.wav").stat().st_ino != stat.st_ino
    assert scan(catalog, music).updated == [track_id]


@pytest.mark.parametrize("damage", ["random-bytes", "empty"])
def test_a_file_that_becomes_undecodable_leaves_the_catalog(tmp_path, damage, catalog):
    music = tmp_path / "music"
    music.mkdir()
    write_tone(music / "a.wav", duration_s=1.0)
    write_tone(music / "b.wav", duration_s=1.0)
    scan(catalog, music, fingerprinter=peak_fingerprinter)
    victim = catalog.find_by_path(str((music / "a.wav").resolve()))
    size = (music / "a.wav").stat().st_size
    data = np.random.default_rng(3).bytes(size) if damage == "random-bytes" else b""
    (music / "a.wav").write_bytes(data)
    report = scan(catalog, music, fingerprinter=peak_fingerprinter)
    assert report.removed == [victim.id] and not report.updated and not report.added
    assert [p for p, _ in report.skipped] == [victim.path]
    assert catalog.find_by_path(victim.path) is None and catalog.count_tracks() == 1
    again = scan(catalog, music, fingerprinter=peak_fingerprinter)  # still broken: no churn
    assert not again.removed and [p for p, _ in again.skipped] == [victim.path]


def test_a_truncated_file_fails_analysis_and_is_not_listed(tmp_path, catalog):
    music = tmp_path / "music"
    music.mkdir()
    write_tone(music / "a.flac", duration_s=2.0, fmt="FLAC")
    data = (music / "a.flac").read_bytes()
    (music / "a.flac").write_bytes(data[: len(data) // 2])  # header promises more frames
    report = scan(catalog, music, fingerprinter=peak_fingerprinter)
    assert not report.added and not report.removed and len(report.skipped) == 1
    assert catalog.count_tracks() == 0


def test_indexing_lists_tracks_before_analysis_fills_the_queue(tmp_path, catalog):
    music = tmp_path / "music"
    music.mkdir()
    for name in ("a", "b", "c"):
        write_tone(music / f"{name}.wav", duration_s=0.5)
    report = scan(catalog, music)  # index only
    assert len(report.added) == 3 and report.analysed == []
    assert [r.id for r in catalog.analysis_queue()] == sorted(report.added)
    assert [r.id for r in catalog.analysis_queue(limit=1, after_id=report.added[0])] == [
        sorted(report.added)[1]
    ]
    second = ScanReport()
    analyse(catalog, peak_fingerprinter, report=second)
    assert sorted(second.analysed) == sorted(report.added) and catalog.analysis_queue() == []
