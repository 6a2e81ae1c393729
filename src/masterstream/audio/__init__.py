"""Audio input and output: decoding, content signatures, chunk geometry, encoding (PCM
formats whole, lossy formats chunk by chunk into one gapless stream)."""

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
