"""Audio input and output: decoding, content signatures, chunk geometry, encoding."""

from .chunks import ChunkGeometry, RenderWindow
from .decode import SUPPORTED_EXTENSIONS, TrackInfo, read_all, read_info, read_window
from .encode import DEFAULT_FORMAT, ENCODERS, encode, get_encoder
from .signature import content_signature

__all__ = [
    "DEFAULT_FORMAT",
    "ENCODERS",
    "SUPPORTED_EXTENSIONS",
    "ChunkGeometry",
    "RenderWindow",
    "TrackInfo",
    "content_signature",
    "encode",
    "get_encoder",
    "read_all",
    "read_info",
    "read_window",
]
