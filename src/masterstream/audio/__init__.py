"""Audio input and output: decoding, content signatures, chunk geometry, encoding (PCM
formats whole, lossy formats chunk by chunk into one gapless stream)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_exports

_EXPORTS = {
    "DEFAULT_FORMAT": "encode",
    "ENCODERS": "encode",
    "LOSSY_FORMATS": "lossy",
    "SUPPORTED_EXTENSIONS": "decode",
    "ChunkGeometry": "chunks",
    "LossyFormat": "lossy",
    "LossyStream": "lossy",
    "RenderWindow": "chunks",
    "TrackInfo": "decode",
    "UnsupportedBitrateError": "lossy",
    "UnsupportedChannelsError": "lossy",
    "content_signature": "signature",
    "encode": "encode",
    "get_encoder": "encode",
    "lossy_stream": "lossy",
    "read_all": "decode",
    "read_info": "decode",
    "read_window": "decode",
}
__all__ = [
    "DEFAULT_FORMAT",
    "ENCODERS",
    "LOSSY_FORMATS",
    "SUPPORTED_EXTENSIONS",
    "ChunkGeometry",
    "LossyFormat",
    "LossyStream",
    "RenderWindow",
    "TrackInfo",
    "UnsupportedBitrateError",
    "UnsupportedChannelsError",
    "content_signature",
    "encode",
    "get_encoder",
    "lossy_stream",
    "read_all",
    "read_info",
    "read_window",
]
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

if TYPE_CHECKING:  # static analysers see the real objects
    from .chunks import ChunkGeometry, RenderWindow
    from .decode import SUPPORTED_EXTENSIONS, TrackInfo, read_all, read_info, read_window
    from .encode import DEFAULT_FORMAT, ENCODERS, encode, get_encoder
    from .lossy import (
        LOSSY_FORMATS,
        LossyFormat,
        LossyStream,
        UnsupportedBitrateError,
        UnsupportedChannelsError,
        lossy_stream,
    )
    from .signature import content_signature
