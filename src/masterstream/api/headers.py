"""HTTP caching headers for chunk and stream responses.

``Cache-Status`` follows RFC 9211 with ``masterstream`` as the cache name: a tier hit is
``masterstream; hit; detail=tier1``, a render is ``masterstream; fwd=miss; stored``.
``Server-Timing`` reports the lookup (hits) or lookup-plus-render (misses) duration in
milliseconds. ETags are strong validators derived from the cache key, which holds the
track's content signature, the pipeline version and every request parameter.
"""

from __future__ import annotations

import hashlib

CACHE_NAME = "masterstream"
CHUNK_MAX_AGE_S = 86_400
"""How long clients may reuse a chunk without revalidating. The bytes behind a URL change
only when the source file changes and is rescanned; the ETag catches that afterwards."""


def cache_status(source: str) -> str:
    """The RFC 9211 ``Cache-Status`` value for a chunk served from ``source``."""
    if source in ("tier1", "tier2"):
        return f"{CACHE_NAME}; hit; detail={source}"
    return f"{CACHE_NAME}; fwd=miss; stored"


def server_timing(source: str, duration_ms: float) -> str:
    """``Server-Timing`` for one chunk: lookup on a hit, render (incl. lookup) on a miss."""
    metric = "render" if source == "miss" else "lookup"
    return f'{metric};dur={duration_ms:.3f};desc="{source}"'


def strong_etag(token: str) -> str:
    return f'"{token}"'


def stream_etag(first_chunk_key: str) -> str:
    """The ETag of a whole-track stream, from the key of its first chunk."""
    digest = hashlib.blake2b(f"{first_chunk_key}:stream".encode(), digest_size=16).hexdigest()
    return strong_etag(digest)


def cache_control(max_age_s: int = CHUNK_MAX_AGE_S) -> str:
    return f"public, max-age={max_age_s}, immutable"


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header matches ``etag`` (weak comparison, RFC 9110)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        if candidate.strip().removeprefix("W/") == opaque:
            return True
    return False
