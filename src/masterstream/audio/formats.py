"""Output formats a client can ask for: lossless (wav, flac) and lossy at a bitrate.

An :class:`OutputFormat` is a format name plus, for lossy formats, a bitrate in kbit/s.
Its :attr:`~OutputFormat.token` (``wav``, ``flac``, ``opus-128``, ``mp3-192``,
``opus-128-standalone``) is what a cache key stores, so every format and bitrate has
entries of its own, and :func:`parse_token` reads it back where the chunk is rendered.

A lossy chunk is either a segment of the track's one continuous stream (the default: the
bytes of ``/stream``) or, ``standalone``, a file of its own that decodes alone to exactly
the chunk's samples (for a player that decodes chunk by chunk). The two are different
bytes, so a standalone format has a token, and cache entries, of its own. Lossless chunks
are always files of their own: ``standalone`` changes nothing for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import InvalidParameterError, UnsupportedFormatError
from .encode import ENCODERS
from .lossy import LOSSY_FORMATS, LossyFormat

FORMAT_NAMES = (*ENCODERS, *LOSSY_FORMATS)
STANDALONE_SUFFIX = "standalone"


@dataclass(frozen=True, slots=True)
class OutputFormat:
    """A validated output format; ``bitrate_kbps`` is set exactly for lossy formats, and
    ``standalone`` (chunks as files of their own) only for lossy formats."""

    name: str
    bitrate_kbps: int | None = None
    standalone: bool = False

    @property
    def token(self) -> str:
        if self.bitrate_kbps is None:
            return self.name
        suffix = f"-{STANDALONE_SUFFIX}" if self.standalone else ""
        return f"{self.name}-{self.bitrate_kbps}{suffix}"

    @property
    def lossy(self) -> LossyFormat | None:
        return LOSSY_FORMATS.get(self.name)

    @property
    def media_type(self) -> str:
        lossy = self.lossy
        return ENCODERS[self.name].media_type if lossy is None else lossy.media_type


def output_format(
    name: object, bitrate_kbps: object = None, *, standalone: bool = False
) -> OutputFormat:
    """Validate a format name and bitrate (``None``: the format's default); raises
    ``UnsupportedFormatError`` or ``UnsupportedBitrateError`` listing the valid values.
    ``standalone`` asks for chunks that decode alone (lossless ones always do)."""
    if not isinstance(name, str) or name not in FORMAT_NAMES:
        raise UnsupportedFormatError(str(name)[:40], FORMAT_NAMES)
    lossy = LOSSY_FORMATS.get(name)
    if lossy is None:
        if bitrate_kbps is not None:
            raise InvalidParameterError("bitrate", f"{name} is lossless: it takes no bitrate")
        return OutputFormat(name)
    return OutputFormat(name, lossy.check_bitrate(bitrate_kbps), standalone)


@lru_cache(maxsize=64)
def parse_token(token: str) -> OutputFormat:
    """The format a cache key's format token names (inverse of ``OutputFormat.token``);
    remembered, as every served chunk asks for its media type."""
    name, _, rest = token.partition("-")
    bitrate, _, suffix = rest.partition("-")
    if suffix not in ("", STANDALONE_SUFFIX):
        raise UnsupportedFormatError(token[:40], FORMAT_NAMES)
    return output_format(name, int(bitrate) if bitrate else None, standalone=bool(suffix))


def describe_formats(
    stream_formats: tuple[str, ...], range_seekable: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Every format for ``GET /api/formats``: MIME type, bitrates, whether a whole-track
    stream in it is seekable by ``Range`` (``range_seekable``: "always", "when_cached",
    "never"; ``seekable_by_range``: always), and
    whether its chunks can be served as files that decode alone (``standalone=true``)."""
    out: list[dict[str, Any]] = []
    for name, encoder in ENCODERS.items():
        out.append({"name": name, "media_type": encoder.media_type, "lossy": False,
                    "bitrates_kbps": [], "default_bitrate_kbps": None,
                    "stream": name in stream_formats,
                    "range_seekable": range_seekable.get(name, "never"),
                    "seekable_by_range": range_seekable.get(name) == "always",
                    "standalone_chunks": True})  # fmt: skip
    for name, lossy in LOSSY_FORMATS.items():
        out.append({"name": name, "media_type": lossy.media_type, "lossy": True,
                    "bitrates_kbps": list(lossy.bitrates_kbps),
                    "default_bitrate_kbps": lossy.default_bitrate_kbps,
                    "stream": name in stream_formats,
                    "range_seekable": range_seekable.get(name, "never"),
                    "seekable_by_range": range_seekable.get(name) == "always",
                    "standalone_chunks": True})  # fmt: skip
    return out
