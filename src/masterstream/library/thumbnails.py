"""Cover thumbnails: resized once to a size on a fixed ladder, kept on disk, named by an ETag.

A thumbnail's name is a digest of its source's identity, its size and its format, so a
changed cover gets a new name (and ETag) and an unchanged one is read back from disk
without decoding anything. A track or album without a cover, or with one that cannot be
decoded, gets a generated placeholder: a two-colour gradient chosen from its name, with
its initial.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .covers import CoverSource

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger("masterstream.library")
MIN_SIZE_PX, MAX_SIZE_PX, DEFAULT_SIZE_PX = 64, 1200, 300
# sizes actually made: a request is served at the next one up, so a cover has at most
# this many thumbnails per format on disk whatever sizes clients ask for
SIZE_LADDER_PX = (64, 96, 128, 160, 192, 256, 300, 384, 512, 640, 800, 1024, 1200)
FORMATS = {"jpeg": ("JPEG", "image/jpeg"), "webp": ("WEBP", "image/webp")}
THUMBNAIL_VERSION = "1"  # bump when the resizing or encoding changes


@dataclass(frozen=True, slots=True)
class Thumbnail:
    data: bytes
    media_type: str
    etag: str
    placeholder: bool


class ThumbnailStore:
    """Thumbnails under one directory (``<data dir>/covers``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def thumbnail(
        self, source: CoverSource | None, *, size_px: int, fmt: str, name: str
    ) -> Thumbnail:
        """The thumbnail of ``source`` that fits a square of ``size_px`` snapped up to the
        ladder (:func:`snap_size`), or of the placeholder for ``name`` when there is no
        source or it cannot be decoded."""
        size_px = snap_size(size_px)
        pil_format, media_type = FORMATS[fmt]
        if source is not None:
            etag = _etag(source.identity, size_px, fmt)
            if (data := self._read(etag, fmt)) is not None:
                return Thumbnail(data, media_type, etag, placeholder=False)
            image = _decode(source)
            if image is not None:
                data = _encode(_fit(image, size_px), pil_format)
                self._write(etag, fmt, data)
                return Thumbnail(data, media_type, etag, placeholder=False)
        etag = _etag(f"placeholder:{name}", size_px, fmt)
        if (data := self._read(etag, fmt)) is None:
            data = _encode(placeholder(name, size_px), pil_format)
            self._write(etag, fmt, data)
        return Thumbnail(data, media_type, etag, placeholder=True)

    def _path(self, etag: str, fmt: str) -> Path:
        return self.directory / etag[:2] / f"{etag}.{fmt}"

    def _read(self, etag: str, fmt: str) -> bytes | None:
        try:
            return self._path(etag, fmt).read_bytes()
        except OSError:
            return None

    def _write(self, etag: str, fmt: str, data: bytes) -> None:
        """Atomically (temporary file, fsync, rename); a failed write only costs a resize."""
        path = self._path(etag, fmt)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("cannot cache thumbnail %s: %s", path, exc)


def snap_size(size_px: int) -> int:
    """The ladder size a request for ``size_px`` is served at (the next one up)."""
    if not MIN_SIZE_PX <= size_px <= MAX_SIZE_PX:
        raise ValueError(f"size must be in {MIN_SIZE_PX}..{MAX_SIZE_PX}, got {size_px}")
    return next(size for size in SIZE_LADDER_PX if size >= size_px)


def _etag(identity: str, size_px: int, fmt: str) -> str:
    text = f"{identity}|{size_px}|{fmt}|{THUMBNAIL_VERSION}"
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _decode(source: CoverSource) -> Image.Image | None:
    from PIL import Image, ImageOps  # Pillow loads with the first cover, not at start-up

    data = source.load()
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return ImageOps.exif_transpose(image).convert("RGB")
    except Exception as exc:  # Pillow raises many types for bad or hostile images
        log.info("cannot decode cover %s: %s", source.identity, exc)
        return None


def _fit(image: Image.Image, size_px: int) -> Image.Image:
    from PIL import Image

    image = image.copy()
    image.thumbnail((size_px, size_px), Image.Resampling.LANCZOS)
    return image


def _encode(image: Image.Image, pil_format: str) -> bytes:
    out = io.BytesIO()
    image.save(out, pil_format, quality=85)
    return out.getvalue()


def placeholder(name: str, size_px: int) -> Image.Image:
    """A square gradient in two colours picked from ``name``, with its initial."""
    from PIL import Image, ImageDraw, ImageFont

    digest = hashlib.blake2b(name.encode(), digest_size=6).digest()
    top, bottom = tuple(digest[:3]), tuple(digest[3:])
    ramp = Image.linear_gradient("L").resize((size_px, size_px))
    image = Image.composite(
        Image.new("RGB", (size_px, size_px), _muted(bottom)),
        Image.new("RGB", (size_px, size_px), _muted(top)),
        ramp,
    )
    initial = next((c for c in name if c.isalnum()), "♪").upper()
    try:
        font = ImageFont.load_default(size=size_px * 0.45)
    except (OSError, ImportError):  # Pillow without FreeType: no initial
        return image
    ImageDraw.Draw(image).text((size_px / 2, size_px / 2), initial, fill=(245, 245, 245),
                               font=font, anchor="mm")  # fmt: skip
    return image


def _muted(rgb: tuple[int, ...]) -> tuple[int, int, int]:
    """A colour dark enough for white text on it."""
    r, g, b = (40 + c * 140 // 255 for c in rgb)
    return r, g, b
