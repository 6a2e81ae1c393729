"""Logging: one set-up, JSON lines carrying the request id and extra fields."""

from __future__ import annotations

import json
import logging

import pytest

from masterstream.logs import REQUEST_ID, JsonFormatter, RequestIdFilter, configure_logging


def test_json_lines_carry_the_request_id_and_extra_fields():
    record = logging.makeLogRecord(
        {"name": "masterstream.access", "levelname": "INFO", "msg": "GET %s", "args": ("/x",),
         "status": 200}
    )  # fmt: skip
    token = REQUEST_ID.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        REQUEST_ID.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /x" and line["request_id"] == "abc123"
    assert line["status"] == 200 and line["level"] == "info" and line["ts"].endswith("Z")


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="log level"):
        configure_logging("loud", "text")
    with pytest.raises(ValueError, match="log format"):
        configure_logging("info", "xml")
