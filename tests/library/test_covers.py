"""Cover art: found in folders and tags, resized once, cached under an ETag; placeholders."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from masterstream.library.catalog import Catalog
from masterstream.library.covers import CoverSource, cover_source, embedded_cover, folder_cover
from masterstream.library.scanner import scan
from masterstream.library.thumbnails import SIZE_LADDER_PX, ThumbnailStore, snap_size
from tests.library.tagged import flac_picture, png, text_frame, write_flac, write_id3, write_ogg

RED, BLUE = (220, 20, 20), (20, 20, 220)


def _image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _colour(data: bytes) -> tuple[int, ...]:
    return _image(data).convert("RGB").getpixel((5, 5))


def test_folder_cover_prefers_cover_then_folder_then_front_any_case(tmp_path):
    assert folder_cover(tmp_path) is None
    (tmp_path / "FRONT.PNG").write_bytes(png(RED))
    assert folder_cover(tmp_path).name == "FRONT.PNG"
    (tmp_path / "Folder.jpg").write_bytes(png(RED))
    assert folder_cover(tmp_path).name == "Folder.jpg"
    (tmp_path / "cover.jpg").write_bytes(png(RED))
    assert folder_cover(tmp_path).name == "cover.jpg"
    (tmp_path / "cover.txt").write_text("not an image name")
    assert folder_cover(tmp_path).name == "cover.jpg"


def test_embedded_pictures_of_every_format_prefer_the_front_cover(tmp_path):
    back, front = flac_picture(png(BLUE), kind=4), flac_picture(png(RED), kind=3)
    flac = write_flac(tmp_path / "a.flac", title="a", pictures=(back, front))
    mp3 = write_id3(tmp_path / "a.mp3", fmt="MP3", frames=[text_frame("TIT2", "a")],
                    picture=png(RED))  # fmt: skip
    ogg = write_ogg(tmp_path / "a.ogg", title="a", picture=png(RED))
    for path in (flac, mp3, ogg):
        assert _colour(embedded_cover(path)) == RED
    assert embedded_cover(write_flac(tmp_path / "none.flac", title="x")) is None


def test_scan_records_covers_and_the_album_prefers_its_folder_image(tmp_path, catalog_target):
    music = tmp_path / "music"
    write_flac(music / "A" / "01.flac", title="One", album="A", artist="X",
               pictures=(flac_picture(png(BLUE)),))  # fmt: skip
    write_flac(music / "A" / "02.flac", title="Two", album="A", artist="X")
    (music / "A" / "cover.png").write_bytes(png(RED))
    write_flac(music / "B" / "01.flac", title="Three", album="B", artist="X")
    with Catalog(catalog_target) as catalog:
        scan(catalog, music)
        one, two, three = (catalog.find_by_path(str((music / p).resolve()))
                           for p in ("A/01.flac", "A/02.flac", "B/01.flac"))  # fmt: skip
        assert one.has_embedded_cover and one.cover_path == str(music / "A" / "cover.png")
        assert two.has_cover and not two.has_embedded_cover and not three.has_cover
        assert _colour(cover_source(one).load()) == RED  # the folder image first
        assert cover_source(three) is None


def test_thumbnails_are_made_once_and_named_by_their_source(tmp_path):
    store = ThumbnailStore(tmp_path / "covers")
    cover = tmp_path / "cover.png"
    cover.write_bytes(png(RED, size=(800, 400)))
    source = _source(cover)
    first = store.thumbnail(source, size_px=256, fmt="jpeg", name="A")
    assert not first.placeholder and first.media_type == "image/jpeg"
    assert _image(first.data).size == (256, 128) and _image(first.data).format == "JPEG"
    assert store.thumbnail(source, size_px=200, fmt="jpeg", name="A") == first  # snapped up
    files = list((tmp_path / "covers").rglob("*.jpeg"))
    assert len(files) == 1
    mtime = files[0].stat().st_mtime_ns
    again = store.thumbnail(_source(cover, loads=[]), size_px=256, fmt="jpeg", name="A")
    assert again == first and files[0].stat().st_mtime_ns == mtime  # read back, not redone
    webp = store.thumbnail(source, size_px=256, fmt="webp", name="A")
    assert _image(webp.data).format == "WEBP" and webp.etag != first.etag
    cover.write_bytes(png(BLUE, size=(800, 400)))
    os.utime(cover, ns=(1, 1))
    changed = store.thumbnail(_source(cover), size_px=256, fmt="jpeg", name="A")
    assert changed.etag != first.etag and _colour(changed.data) != _colour(first.data)


def _source(path, loads=None):
    stat = path.stat()

    def load():
        if loads is not None:
            raise AssertionError("a cached thumbnail must not load its source")
        return path.read_bytes()

    return CoverSource(f"file:{path}:{stat.st_size}:{stat.st_mtime_ns}", load)


def test_no_cover_or_a_broken_one_gets_a_placeholder_per_name(tmp_path):
    store = ThumbnailStore(tmp_path / "covers")
    a = store.thumbnail(None, size_px=64, fmt="jpeg", name="Album A")
    b = store.thumbnail(None, size_px=64, fmt="jpeg", name="Album B")
    assert a.placeholder and _image(a.data).size == (64, 64)
    assert a.etag != b.etag and _colour(a.data) != _colour(b.data)
    assert store.thumbnail(None, size_px=64, fmt="jpeg", name="Album A") == a  # stable
    broken = tmp_path / "cover.jpg"
    broken.write_bytes(b"\xff\xd8 not really a jpeg")
    thumb = store.thumbnail(_source(broken), size_px=64, fmt="jpeg", name="Album A")
    assert thumb.placeholder and thumb.data == a.data


def test_sizes_snap_up_to_a_ladder_so_a_cover_has_few_thumbnails(tmp_path):
    store = ThumbnailStore(tmp_path / "covers")
    assert [snap_size(s) for s in (64, 65, 300, 301, 1199, 1200)] == [64, 96, 300, 384, 1200,
                                                                        1200]  # fmt: skip
    for size in range(64, 1201, 7):
        store.thumbnail(None, size_px=size, fmt="jpeg", name="x")
    assert len(list((tmp_path / "covers").rglob("*.jpeg"))) == len(SIZE_LADDER_PX)
    for size in (63, 1201):
        with pytest.raises(ValueError):
            store.thumbnail(None, size_px=size, fmt="jpeg", name="x")


def test_a_cover_image_added_or_removed_later_is_noticed_by_a_rescan(tmp_path, catalog_target):
    music = tmp_path / "music"
    write_flac(music / "A" / "01.flac", title="One", album="A", artist="X")
    with Catalog(catalog_target) as catalog:
        track_id = scan(catalog, music).added[0]
        assert not catalog.get_track(track_id).has_cover
        (music / "A" / "folder.jpg").write_bytes(png(RED))
        report = scan(catalog, music)
        assert report.unchanged == [track_id] and not report.updated  # no audio changed
        assert catalog.get_track(track_id).cover_path == str(music / "A" / "folder.jpg")
        album = catalog.read("SELECT cover_track_id FROM albums")[0][0]
        assert album == track_id
        (music / "A" / "folder.jpg").unlink()
        scan(catalog, music)
        assert not catalog.get_track(track_id).has_cover
        assert catalog.read("SELECT cover_track_id FROM albums")[0][0] is None
