"""Cache-Status, Server-Timing, ETag matching and admin-token checks."""

from __future__ import annotations

import pytest

from masterstream.api.auth import check_admin
from masterstream.api.headers import (
    cache_control,
    cache_status,
    etag_matches,
    server_timing,
    stream_etag,
)
from masterstream.api.problems import ProblemError
from masterstream.service.chunks import ChunkTimings


def test_cache_status_follows_rfc9211():
    assert cache_status("tier1") == "masterstream; hit; detail=tier1"
    assert cache_status("tier2") == "masterstream; hit; detail=tier2"
    assert cache_status("miss") == "masterstream; fwd=miss; stored"


def test_server_timing_names_lookup_and_render():
    assert server_timing("tier1", ChunkTimings(0.25, 0.0)) == 'lookup;dur=0.250;desc="tier1"'
    assert (
        server_timing("miss", ChunkTimings(1.5, 12.5))
        == 'lookup;dur=1.500;desc="miss", render;dur=12.500'
    )


def test_etag_matching():
    etag = '"abc"'
    assert etag_matches('"abc"', etag)
    assert etag_matches('W/"abc"', etag)
    assert etag_matches('"x", "abc"', etag)
    assert etag_matches("*", etag)
    assert not etag_matches('"abd"', etag)
    assert not etag_matches(None, etag)


def test_stream_etag_depends_on_the_key():
    assert stream_etag("ck1:1:a") != stream_etag("ck1:1:b")
    assert stream_etag("ck1:1:a") == stream_etag("ck1:1:a")


def test_only_versioned_urls_are_immutable():
    assert cache_control(immutable=True) == "public, max-age=31536000, immutable"
    assert cache_control(immutable=False) == "no-cache"


def test_admin_token_check():
    check_admin(None, None)  # no token configured: open
    check_admin("s3cret", "Bearer s3cret")
    with pytest.raises(ProblemError) as missing:
        check_admin("s3cret", None)
    assert missing.value.status == 401 and "WWW-Authenticate" in missing.value.headers
    with pytest.raises(ProblemError) as scheme:
        check_admin("s3cret", "Basic s3cret")
    assert scheme.value.status == 401
    with pytest.raises(ProblemError) as wrong:
        check_admin("s3cret", "Bearer nope")
    assert wrong.value.status == 403
