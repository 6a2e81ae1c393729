"""Content signatures: a digest of a file's bytes, so a changed file never hits old chunks."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import SourceUnavailableError

_BLOCK_BYTES = 1 << 20


def content_signature(path: str | Path) -> str:
    """BLAKE2b-128 of the file's content, as 32 hex characters.

    Depends only on the bytes, never on the path or the modification time.
    """
    digest = hashlib.blake2b(digest_size=16)
    try:
        with open(path, "rb") as f:
            while block := f.read(_BLOCK_BYTES):
                digest.update(block)
    except OSError as exc:
        raise SourceUnavailableError(f"cannot read {path}: {exc.strerror}", path=path) from exc
    return digest.hexdigest()
