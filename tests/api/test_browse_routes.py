"""Artists, albums, tracks, search and covers through the HTTP API, on the demo library."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from masterstream.api import create_app

from .conftest import make_options, open_client


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """One catalog for the module: the first start-up analyses, the others reuse it."""
    return tmp_path_factory.mktemp("browse-data")


@pytest.fixture
async def client(settings, demo_library_dir, data_dir):
    overrides = {"library_dir": demo_library_dir, "data_dir": data_dir}
    app = create_app(settings.with_overrides(**overrides), make_options())
    async for c in open_client(app):
        yield c


async def _albums(client, **params):
    response = await client.get("/api/albums", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_albums_artists_and_their_tracks(client):
    page = await _albums(client, sort="name")
    assert page["total"] == 2
    assert [(a["title"], a["artist"], a["year"], a["track_count"]) for a in page["items"]] == [
        ("After Hours, Vol. 1", "Various Artists", 2023, 3), ("Harbor Lights", "Lumen Quartet",
                                                              2019, 3),
    ]  # fmt: skip
    assert all(a["has_cover"] for a in page["items"])
    compilation = page["items"][0]
    assert compilation["compilation"] is True
    detail = (await client.get(f"/api/albums/{compilation['id']}")).json()
    assert [(t["track_number"], t["title"], t["artist"]) for t in detail["tracks"]] == [
        (1, "Wall of Sound", "The Pressure"), (2, "Subterranean", "Low End Club"),
        (3, "Long Drive", "Night Transit"),
    ]  # fmt: skip
    track = detail["tracks"][0]
    assert track["album_id"] == compilation["id"] and track["album_artist"] == "Various Artists"
    assert track["version"] and track["chunk_count"] >= 1 and track["has_cover"] is True

    artists = (await client.get("/api/artists")).json()
    names = [a["name"] for a in artists["items"]]
    assert names == sorted(names, key=str.casefold) and artists["total"] == len(names)
    lumen = next(a for a in artists["items"] if a["name"] == "Lumen Quartet")
    assert (lumen["album_count"], lumen["track_count"]) == (1, 3)
    detail = (await client.get(f"/api/artists/{lumen['id']}")).json()
    assert [a["title"] for a in detail["albums"]] == ["Harbor Lights"]
    pressure = next(a for a in artists["items"] if a["name"] == "The Pressure")
    detail = (await client.get(f"/api/artists/{pressure['id']}")).json()
    assert detail["albums"] == [] and [a["title"] for a in detail["appears_on"]] == [
        "After Hours, Vol. 1"
    ]
    by_artist = await _albums(client, artist_id=lumen["id"])
    assert [a["title"] for a in by_artist["items"]] == ["Harbor Lights"]
    by_year = await _albums(client, sort="year")
    assert [a["year"] for a in by_year["items"]] == [2019, 2023]


async def test_track_listing_filters_sorts_and_searches(client):
    everything = (await client.get("/api/tracks", params={"limit": 500})).json()
    assert everything["total"] == 6 and len(everything["items"]) == 6
    harbor = (await _albums(client, q="harbor"))["items"][0]
    in_album = (await client.get("/api/tracks", params={"album_id": harbor["id"],
                                                        "sort": "album"})).json()  # fmt: skip
    assert [t["title"] for t in in_album["items"]] == ["Quiet Hours", "Glass Harbor",
                                                      "Cedar Porch"]  # fmt: skip
    titles = (await client.get("/api/tracks", params={"sort": "title"})).json()["items"]
    assert [t["title"] for t in titles] == sorted(t["title"] for t in titles)
    found = (await client.get("/api/tracks", params={"q": "glass har"})).json()
    assert [t["title"] for t in found["items"]] == ["Glass Harbor"] and found["total"] == 1
    assert (await client.get("/api/tracks", params={"sort": "loudness"})).status_code == 422


async def test_search_finds_artists_albums_and_tracks_by_prefix(client):
    response = await client.get("/api/search", params={"q": "LUM"})
    assert response.status_code == 200
    found = response.json()
    assert [a["name"] for a in found["artists"]] == ["Lumen Quartet"]
    assert [a["title"] for a in found["albums"]] == ["Harbor Lights"]
    assert {t["title"] for t in found["tracks"]} == {"Quiet Hours", "Glass Harbor", "Cedar Porch"}
    nothing = (await client.get("/api/search", params={"q": "zzzz"})).json()
    assert nothing == {"artists": [], "albums": [], "tracks": []}
    assert (await client.get("/api/search")).status_code == 422


async def test_covers_are_thumbnails_with_etags_and_placeholders(client):
    album = (await _albums(client, sort="name"))["items"][1]  # Harbor Lights
    url = f"/api/albums/{album['id']}/cover"
    jpeg = await client.get(url, params={"size": 128})
    assert jpeg.status_code == 200 and jpeg.headers["content-type"] == "image/jpeg"
    assert jpeg.headers["x-cover"] == "art" and jpeg.headers["vary"] == "Accept"
    with Image.open(io.BytesIO(jpeg.content)) as image:
        assert image.size == (128, 128)
        r, g, b = image.convert("RGB").getpixel((2, 2))
        assert b > r and b > g  # the drawn cover's dark blue, not a placeholder
    etag = jpeg.headers["etag"]
    again = await client.get(url, params={"size": 128}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag
    webp = await client.get(url, params={"size": 128}, headers={"Accept": "image/webp,*/*"})
    assert webp.headers["content-type"] == "image/webp" and webp.headers["etag"] != etag
    track_id = (await client.get(f"/api/albums/{album['id']}")).json()["tracks"][0]["id"]
    track = await client.get(f"/api/tracks/{track_id}/cover", params={"format": "jpeg"})
    assert track.status_code == 200 and track.headers["x-cover"] == "art"
    for bad in ({"size": 63}, {"size": 1201}, {"format": "gif"}):
        assert (await client.get(url, params=bad)).status_code == 422


async def test_unknown_and_malformed_ids_are_problems(client):
    for path, slug in (("/api/albums/999999", "album-not-found"),
                       ("/api/artists/999999", "artist-not-found"),
                       ("/api/albums/999999/cover", "album-not-found"),
                       ("/api/tracks/999999/cover", "track-not-found")):  # fmt: skip
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith(slug)
    for path in ("/api/albums/01", "/api/artists/-1", "/api/albums/1e3/cover"):
        assert (await client.get(path)).status_code == 422, path


async def test_a_track_without_cover_or_tags_gets_a_placeholder(settings):
    async for client in open_client(create_app(settings, make_options())):
        items = (await client.get("/api/tracks")).json()["items"]
        track = next(i for i in items if i["title"] == "a-stereo")
        assert track["has_cover"] is False and track["album_id"] is None
        cover = await client.get(f"/api/tracks/{track['id']}/cover", params={"size": 64})
        assert cover.status_code == 200 and cover.headers["x-cover"] == "placeholder"
        with Image.open(io.BytesIO(cover.content)) as image:
            assert image.size == (64, 64)
