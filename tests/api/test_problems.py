"""The one error -> HTTP mapping: statuses, context fields, and no internals on a 500."""

from __future__ import annotations

import json

import pytest
from starlette.requests import Request

from masterstream.api.problems import PROBLEM_MEDIA_TYPE, problem_for, status_for
from masterstream.errors import (
    CatalogError,
    ChunkOutOfRangeError,
    InvalidIntensityError,
    RenderError,
    SourceUnavailableError,
    TrackNotFoundError,
    UnknownPresetError,
    UnsupportedAudioError,
    UnsupportedFormatError,
)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (TrackNotFoundError(3), 404),
        (ChunkOutOfRangeError(3, 9, 4), 404),
        (UnknownPresetError("x", ["warm"]), 422),
        (InvalidIntensityError(2), 422),
        (UnsupportedFormatError("mp3", ["wav"]), 422),
        (UnsupportedAudioError("not audio", path="/a"), 422),
        (SourceUnavailableError("gone", path="/a"), 503),
        (RenderError("boom"), 503),
        (CatalogError("locked"), 503),
    ],
)
def test_every_error_has_its_status(error, status):
    assert status_for(error)[0] == status


def request_for(path: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": path, "headers": [],
                    "query_string": b"", "app": None})  # fmt: skip


async def test_problem_carries_context():
    response = await problem_for(request_for("/x"), ChunkOutOfRangeError(3, 9, 4))
    assert response.status_code == 404 and response.media_type == PROBLEM_MEDIA_TYPE
    body = json.loads(response.body)
    assert body["valid_range"] == [0, 3] and body["track_id"] == 3 and body["instance"] == "/x"


async def test_unexpected_errors_are_500_problems_without_internals(caplog):
    secret = "/home/someone/.secret/path"
    response = await problem_for(request_for("/y"), RuntimeError(secret))
    assert response.status_code == 500
    body = json.loads(response.body)
    assert body["type"].endswith("internal-error") and secret not in response.body.decode()
    assert secret in caplog.text  # logged for the operator
