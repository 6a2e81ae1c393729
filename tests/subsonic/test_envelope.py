"""The ``subsonic-response`` envelope: XML and JSON from one payload shape."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from masterstream import __version__
from masterstream.subsonic.envelope import render, render_error, response_format
from masterstream.subsonic.errors import NOT_FOUND, SubsonicError, missing, not_found

NS = "{http://subsonic.org/restapi}"
PAYLOAD = {
    "album": {
        "id": "al-1", "name": "Blue & Gold", "starred": None, "isCompilation": False,
        "song": [{"id": "1", "isDir": False, "duration": 61,
                  "replayGain": {"trackGain": -4.5, "trackPeak": 0.89}},
                 {"id": "2", "genres": [{"name": "Jazz"}, {"name": "Soul"}]}],
    },
    "genres": {"genre": [{"value": "Jazz", "songCount": 2, "albumCount": 1}]},
    "openSubsonicExtensions": [{"name": "formPost", "versions": [1, 2]}],
}  # fmt: skip


def test_xml_attributes_children_lists_and_text():
    response = render(PAYLOAD, "xml")
    assert response.status_code == 200 and response.media_type.startswith("text/xml")
    root = ET.fromstring(response.body)
    assert root.tag == f"{NS}subsonic-response"
    assert root.attrib == {"status": "ok", "version": "1.16.1", "type": "masterstream",
                           "serverVersion": __version__, "openSubsonic": "true"}  # fmt: skip
    album = root.find(f"{NS}album")
    assert album.attrib == {"id": "al-1", "name": "Blue & Gold", "isCompilation": "false"}
    first, second = album.findall(f"{NS}song")
    assert first.attrib == {"id": "1", "isDir": "false", "duration": "61"}
    assert first.find(f"{NS}replayGain").attrib == {"trackGain": "-4.5", "trackPeak": "0.89"}
    assert [g.attrib["name"] for g in second.findall(f"{NS}genres")] == ["Jazz", "Soul"]
    genre = root.find(f"{NS}genres/{NS}genre")
    assert genre.text == "Jazz" and genre.attrib == {"songCount": "2", "albumCount": "1"}
    extension = root.find(f"{NS}openSubsonicExtensions")
    assert [v.text for v in extension.findall(f"{NS}versions")] == ["1", "2"]


def test_json_is_the_payload_inside_the_envelope_without_nones():
    body = json.loads(render(PAYLOAD, "json").body)["subsonic-response"]
    assert body["status"] == "ok" and body["openSubsonic"] is True
    assert body["serverVersion"] == __version__ and body["type"] == "masterstream"
    assert "starred" not in body["album"]
    assert body["album"]["song"][0]["replayGain"] == {"trackGain": -4.5, "trackPeak": 0.89}
    assert body["genres"]["genre"] == [{"value": "Jazz", "songCount": 2, "albumCount": 1}]
    assert body["openSubsonicExtensions"] == [{"name": "formPost", "versions": [1, 2]}]


def test_errors_render_failed_with_code_and_message():
    root = ET.fromstring(render_error(not_found("album 'al-9'"), "xml").body)
    assert root.attrib["status"] == "failed"
    error = root.find(f"{NS}error")
    assert error.attrib == {"code": str(NOT_FOUND), "message": "album 'al-9' not found"}
    body = json.loads(render_error(missing("id"), "json").body)["subsonic-response"]
    assert body["status"] == "failed"
    assert body["error"] == {"code": 10, "message": "Required parameter is missing: id"}
    assert isinstance(missing("id"), SubsonicError)


def test_response_format_defaults_to_xml():
    assert [response_format(f) for f in ("json", "xml", None, "jsonp", "yaml")] == [
        "json", "xml", "xml", "xml", "xml"]  # fmt: skip
