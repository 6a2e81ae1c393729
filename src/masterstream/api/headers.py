"""HTTP caching headers for chunk and stream responses.

``Cache-Status`` follows RFC 9211 with ``masterstream`` as the cache name: a tier hit is
``masterstream; hit; detail=tier1`` (``tier2``, ``shared``), a render is
``masterstream; fwd=miss; stored``.
``Server-Timing`` reports the lookup and (on a miss) the render in milliseconds. ETags are
strong validators derived from the cache key, which holds the track's content signature,
the pipeline version and every request parameter.

``Cache-Control`` may say ``immutable`` only for a URL whose bytes can never change: one
that carries the track's current version token (``v=``, handed out in track listings and
derived from the content signature and pipeline version). Any other URL is ``no-cache``:
clients keep the bytes but revalidate with the ETag, so a rescanned file is never stale.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..service.chunks import ChunkTimings

CACHE_NAME = "masterstream"
IMMUTABLE_MAX_AGE_S = 31_536_000  # one year: the URL names exactly these bytes


def cache_status(source: str) -> str:
    """The RFC 9211 ``Cache-Status`` value for a chunk served from ``source``."""
    if source in ("tier1", "tier2", "shared"):
        return f"{CACHE_NAME}; hit; detail={source}"
    return f"{CACHE_NAME}; fwd=miss; stored"


def server_timing(source: str, timings: ChunkTimings) -> str:
    """``Server-Timing`` for one chunk: the tier lookup, and on a miss the render."""
    lookup = f'lookup;dur={timings.lookup_ms:.3f};desc="{source}"'
    if source != "miss":
        return lookup
    return f"{lookup}, render;dur={timings.render_ms:.3f}"


def strong_etag(token: str) -> str:
    return f'"{token}"'


def stream_etag(first_chunk_key: str) -> str:
    """The ETag of a whole-track stream, from the key of its first chunk."""
    digest = hashlib.blake2b(f"{first_chunk_key}:stream".encode(), digest_size=16).hexdigest()
    return strong_etag(digest)


def cache_control(*, immutable: bool) -> str:
    """``immutable`` only for versioned URLs (see above); otherwise revalidate every time."""
    if immutable:
        return f"public, max-age={IMMUTABLE_MAX_AGE_S}, immutable"
    return "no-cache"


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
