import os
import shutil

import numpy as np

from masterstream.audio.decode import read_all
from masterstream.library.catalog import Catalog
from masterstream.library.scanner import scan
from tests.conftest import write_tone


def peak_fingerprinter(path):
    """A small real fingerprint: decodes the whole file like the real one does."""
    audio, rate = read_all(path)
    return {"peak": float(np.max(np.abs(audio))), "sample_rate": rate}


def test_scan_adds_updates_removes_and_skips(tmp_path):
    music = tmp_path / "music"
    (music / "album").mkdir(parents=True)
    write_tone(music / "a.wav", duration_s=1.0)
    write_tone(music / "album" / "b.flac", duration_s=1.0, amplitude=0.25)
    (music / "broken.mp3").write_bytes(b"\x00not an mp3" * 50)
    (music / "notes.txt").write_text("ignored: not audio")
    catalog = Catalog(tmp_path / "c.db")

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


def test_touched_but_identical_file_is_not_refingerprinted(tmp_path):
    music = tmp_path / "music"
    music.mkdir()
    write_tone(music / "a.wav", duration_s=0.5)
    catalog = Catalog(tmp_path / "c.db")
    calls = []

    def counting(path):
        calls.append(path)
        return peak_fingerprinter(path)

    scan(catalog, music, fingerprinter=counting)
    os.utime(music / "a.wav", ns=(5, 5))  # mtime changes, bytes do not
    report = scan(catalog, music, fingerprinter=counting)
    assert len(calls) == 1 and len(report.unchanged) == 1


def test_scanning_two_libraries_keeps_both(tmp_path):
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        write_tone(tmp_path / name / "x.wav", duration_s=0.5)
    catalog = Catalog(tmp_path / "c.db")
    scan(catalog, tmp_path / "one", fingerprinter=peak_fingerprinter)
    report = scan(catalog, tmp_path / "two", fingerprinter=peak_fingerprinter)
    assert not report.removed and catalog.count_tracks() == 2
    shutil.rmtree(tmp_path / "two")
    (tmp_path / "two").mkdir()
    assert len(scan(catalog, tmp_path / "two", fingerprinter=peak_fingerprinter).removed) == 1
