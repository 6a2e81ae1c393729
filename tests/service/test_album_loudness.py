"""Album mode's identity: the loudness in variants and cache keys, the album's version from
a real scanned library, and album-mode plans kept in the catalog (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from masterstream.cache import ChunkKey
from masterstream.errors import InvalidParameterError
from masterstream.library.catalog import Catalog
from masterstream.mastering import MasteringPlan
from masterstream.service.album_loudness import loudness_token
from masterstream.service.plans import PlanStore
from masterstream.service.request import Variant, variant_from_query
from masterstream.service.tracks import TrackLibrary
from tests.conftest import write_tone


def key(**overrides: object) -> ChunkKey:
    fields: dict[str, object] = {"track_id": 1, "signature": "sig", "pipeline_version": "2",
                                 "preset": "warm", "intensity": 1.0, "chunk_index": 0,
                                 "fmt": "wav"}  # fmt: skip
    return ChunkKey(**{**fields, **overrides})  # type: ignore[arg-type]


def test_album_keys_round_trip_and_track_keys_keep_their_form() -> None:
    track = key()
    album = key(loudness="album-0123abcd")
    assert track.to_str() == "ck1:1:sig:2:warm:1.00:0:wav"
    assert album.to_str() == "ck1:1:sig:2:warm:1.00:0:wav:album-0123abcd"
    assert ChunkKey.from_str(album.to_str()) == album
    assert ChunkKey.from_str(track.to_str()) == track
    assert album.digest != track.digest
    assert key(preset=None, loudness="album-0123abcd").loudness == "track"  # the original


@pytest.mark.parametrize("loudness", ["album", "album-", "loud", "album-a:b", ""])
def test_bad_loudness_tokens_are_refused(loudness: str) -> None:
    with pytest.raises(ValueError):
        key(loudness=loudness)


def test_a_track_key_has_one_spelling() -> None:
    with pytest.raises(ValueError):
        ChunkKey.from_str("ck1:1:sig:2:warm:1.00:0:wav:track")


def test_variants_carry_the_loudness_mode() -> None:
    assert Variant.of("warm", 0.5, "album").loudness == "album"
    assert Variant.of("warm").loudness == "track"
    assert Variant.of("original", 1.0, "album").loudness == "track"
    assert Variant.of("warm", 0.0, "album").loudness == "track"  # the original's samples
    assert variant_from_query({"preset": "warm", "loudness": "album"}).loudness == "album"
    for bad in ("Album", "", 1, None):
        with pytest.raises(InvalidParameterError, match="loudness"):
            Variant.of("warm", 1.0, bad)


def write_album(root: Path, *names: str) -> None:
    album = root / "Artist" / "Album"
    album.mkdir(parents=True, exist_ok=True)
    for number, name in enumerate(names, 1):
        write_tone(album / f"{number:02d} - {name}.flac", duration_s=1.0,
                   frequency_hz=220.0 * number)  # fmt: skip


def test_album_version_follows_the_album(tmp_path: Path, catalog_target) -> None:
    root = tmp_path / "music"
    write_album(root, "One", "Two")
    write_tone(root / "single.wav", duration_s=1.0)
    with Catalog(catalog_target) as catalog:
        library = TrackLibrary(catalog)
        library.scan(root)
        by_title = {r.display_title: r for r in library.records()}
        one, two, single = by_title["One"], by_title["Two"], by_title["single"]
        token = loudness_token(library, one, "album")
        assert token.startswith("album-") and token == loudness_token(library, two, "album")
        assert loudness_token(library, one, "track") == "track"
        assert loudness_token(library, single, "album") == "track"  # an album of one

        plan = MasteringPlan(preset="warm", sample_rate=44100, passthrough=False, gain_db=2.5,
                             target_lufs=-16.0)  # fmt: skip
        PlanStore(catalog).remember(one, "warm", plan, 0.0, token)
        assert PlanStore(catalog).cached(one, "warm", 0.0, token) == plan  # from the catalog
        assert PlanStore(catalog).cached(one, "warm") is None  # track mode is another plan

        write_album(root, "One", "Two", "Three")
        library.scan(root)
        one = library.get(one.id)
        new_token = loudness_token(library, one, "album")
        assert new_token.startswith("album-") and new_token != token
        assert PlanStore(catalog).cached(one, "warm", 0.0, new_token) is None
