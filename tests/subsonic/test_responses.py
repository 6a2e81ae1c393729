"""``/rest`` answers checked by hand against a running server: the XML structure (the
Subsonic namespace, the envelope, a song's elements and attributes), the JSON shape,
errors as HTTP 200 documents, and song ``replayGain`` against ffmpeg's loudness meter
on the mastered stream."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx
import pytest

from tests.audio.lossy_checks import ebur128, needs_ffmpeg
from tests.subsonic.conftest import ADMIN, Served, token_params

pytestmark = pytest.mark.timeout(300)
NS = "{http://subsonic.org/restapi}"
log = logging.getLogger(__name__)
SONG_ATTRIBUTES = {"id", "parent", "isDir", "title", "album", "artist", "coverArt", "size",
                   "contentType", "suffix", "duration", "bitRate", "path", "albumId",
                   "artistId", "type"}  # fmt: skip


@pytest.fixture(scope="module")
def rest(served: Served) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.url + "/rest", timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def auth(served: Served) -> dict[str, str]:
    return token_params(ADMIN, served.admin_password)


def first_album_id(rest: httpx.Client, auth: dict[str, str]) -> str:
    answer = rest.get("/getAlbumList2", params={**auth, "type": "alphabeticalByName",
                                                "size": 1, "f": "json"})  # fmt: skip
    return answer.json()["subsonic-response"]["albumList2"]["album"][0]["id"]


def test_xml_envelope_and_song_elements(rest: httpx.Client, auth: dict[str, str]):
    album_id = first_album_id(rest, auth)
    answer = rest.get("/getAlbum.view", params={**auth, "id": album_id})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(answer.content)
    assert root.tag == f"{NS}subsonic-response"
    assert root.attrib["status"] == "ok" and root.attrib["version"] == "1.16.1"
    assert root.attrib["type"] == "masterstream" and root.attrib["openSubsonic"] == "true"
    album = root.find(f"{NS}album")
    assert album is not None and album.attrib["id"] == album_id
    songs = album.findall(f"{NS}song")
    assert len(songs) == int(album.attrib["songCount"]) > 0
    for song in songs:
        assert set(song.attrib) >= SONG_ATTRIBUTES, SONG_ATTRIBUTES - set(song.attrib)
        assert song.attrib["isDir"] == "false" and song.attrib["type"] == "music"
        assert song.attrib["albumId"] == album_id and int(song.attrib["duration"]) > 0
        gain = song.find(f"{NS}replayGain")
        assert gain is not None and float(gain.attrib["trackPeak"]) <= 1.0
        assert {child.tag for child in song} <= {f"{NS}replayGain", f"{NS}genres"}


def test_json_shape(rest: httpx.Client, auth: dict[str, str]):
    album_id = first_album_id(rest, auth)
    body = rest.get("/getAlbum", params={**auth, "id": album_id, "f": "json"}).json()
    response = body["subsonic-response"]
    assert response["status"] == "ok" and response["openSubsonic"] is True
    song = response["album"]["song"][0]
    assert isinstance(song["duration"], int) and song["isDir"] is False
    assert isinstance(song["replayGain"]["trackGain"], float)
    assert isinstance(response["album"]["song"], list)
    assert not any(value is None for value in song.values())
    # py-opensonic 10.4 reads this as a bare list; the Subsonic shape wraps it
    folders = rest.get("/getMusicFolders", params={**auth, "f": "json"}).json()
    assert folders["subsonic-response"]["musicFolders"] == {
        "musicFolder": [{"id": 1, "name": "Music"}]
    }


def test_errors_are_http_200_documents(rest: httpx.Client, auth: dict[str, str]):
    cases = [("/getAlbum", {**auth, "id": "al-999999"}, 70),
             ("/getAlbum", auth, 10),
             ("/getCoverArt", {**auth, "id": "nothing"}, 70),
             ("/noSuchMethod", auth, 0),
             ("/ping", {"u": ADMIN, "p": "wrong", "c": "t"}, 40)]  # fmt: skip
    for path, params, code in cases:
        answer = rest.get(path, params=params)
        assert answer.status_code == 200, path
        root = ET.fromstring(answer.content)
        assert root.attrib["status"] == "failed"
        assert root.find(f"{NS}error").attrib["code"] == str(code), (path, answer.text)


@needs_ffmpeg
def test_replay_gain_matches_the_mastered_stream(
    served: Served,
    rest: httpx.Client,
    auth: dict[str, str],
    tmp_path: Path,
):
    """The user's defaults (adaptive at full intensity, WAV): -18 LUFS minus trackGain is
    what ffmpeg measures on the stream, and the peak is at or under trackPeak."""
    found = rest.get("/search3", params={**auth, "query": "", "songCount": 50, "albumCount": 0,
                                         "artistCount": 0, "f": "json"})  # fmt: skip
    songs = found.json()["subsonic-response"]["searchResult3"]["song"]
    shortest = min(songs, key=lambda song: song["duration"])
    headers = {"Authorization": f"Bearer {served.api_key}"}
    stream = httpx.get(f"{served.url}/api/tracks/{shortest['id']}/stream",
                       params={"preset": "adaptive", "format": "wav"}, headers=headers,
                       timeout=240)  # fmt: skip
    assert stream.status_code == 200
    (tmp_path / "master.wav").write_bytes(stream.content)
    measured_lufs, measured_peak_dbtp = ebur128(tmp_path / "master.wav")
    song = rest.get("/getSong", params={**auth, "id": shortest["id"], "f": "json"}).json()
    gain = song["subsonic-response"]["song"]["replayGain"]
    log.info("replayGain %s; ffmpeg: %.2f LUFS, %.2f dBTP", gain, measured_lufs,
             measured_peak_dbtp)  # fmt: skip
    assert -18.0 - gain["trackGain"] == pytest.approx(measured_lufs, abs=0.5)
    assert measured_peak_dbtp <= 20 * math.log10(gain["trackPeak"]) + 0.1
