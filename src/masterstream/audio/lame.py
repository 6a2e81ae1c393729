"""LAME, the MP3 encoder, through its C API (ctypes).

The ``lameenc`` wheel links LAME statically and exports LAME's whole C API from its
extension module; its Python class exposes bitrate and quality but not the bit reservoir,
and chunked gapless MP3 needs the reservoir off (a chunk's first frame must not borrow
bytes from frames that are not in the stream). So we load that library and call LAME
directly, falling back to a system ``libmp3lame`` where one is installed. Each
:class:`LameEncoder` owns one encoder; calls release the GIL.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.util
from functools import lru_cache

import numpy as np

from ..errors import RenderError

MODE_JOINT_STEREO = 1
MODE_MONO = 3
DECODER_DELAY = 529  # samples every MP3 decoder adds (528 + 1), per the LAME tag convention
_INT_BUFFER = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]  # nsamples, buffer, size
_API = {
    "lame_init": (ctypes.c_void_p, []),
    "lame_close": (ctypes.c_int, [ctypes.c_void_p]),
    "lame_init_params": (ctypes.c_int, [ctypes.c_void_p]),
    "lame_get_encoder_delay": (ctypes.c_int, [ctypes.c_void_p]),
    "lame_get_lowpassfreq": (ctypes.c_int, [ctypes.c_void_p]),
    "lame_get_scale": (ctypes.c_float, [ctypes.c_void_p]),
    "get_lame_short_version": (ctypes.c_char_p, []),
    "lame_encode_buffer_ieee_float": (ctypes.c_int, [ctypes.c_void_p] * 3 + _INT_BUFFER),
    "lame_encode_flush": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]),
}
_SETTERS = {
    **dict.fromkeys(
        ("in_samplerate", "out_samplerate", "num_channels", "mode", "brate", "VBR", "quality",
         "disable_reservoir", "bWriteVbrTag", "write_id3tag_automatic"), ctypes.c_int,
    ),
    **dict.fromkeys(("errorf", "debugf", "msgf"), ctypes.c_void_p),  # report callbacks
}  # fmt: skip


def _candidates() -> list[str]:
    paths = []
    spec = importlib.util.find_spec("lameenc")
    if spec is not None and spec.origin:
        paths.append(spec.origin)
    system = ctypes.util.find_library("mp3lame")
    if system:
        paths.append(system)
    return paths


@lru_cache(maxsize=1)
def lame_library() -> ctypes.CDLL:
    """The first library that exports LAME's API (``lameenc``'s, else the system's)."""
    for path in _candidates():
        library = ctypes.CDLL(path)
        if all(hasattr(library, f"lame_set_{name}") for name in _SETTERS) and all(
            hasattr(library, name) for name in _API
        ):
            for name, (restype, argtypes) in _API.items():
                function = getattr(library, name)
                function.restype, function.argtypes = restype, argtypes
            for name, value_type in _SETTERS.items():
                getattr(library, f"lame_set_{name}").argtypes = [ctypes.c_void_p, value_type]
            return library
    raise RenderError("MP3 encoding needs LAME: pip install lameenc (or install libmp3lame)")


def lame_version() -> str:
    return lame_library().get_lame_short_version().decode()


class LameEncoder:
    """One CBR MP3 encoder: ``sample_rate`` in and out, no bit reservoir, no tags."""

    def __init__(self, sample_rate: int, channels: int, bitrate_kbps: int, quality: int) -> None:
        lib = self._lib = lame_library()
        self._gfp = lib.lame_init()
        if not self._gfp:
            raise RenderError("LAME could not allocate an encoder")
        settings = {
            "in_samplerate": sample_rate, "out_samplerate": sample_rate,
            "num_channels": channels, "mode": MODE_MONO if channels == 1 else MODE_JOINT_STEREO,
            "brate": bitrate_kbps, "VBR": 0, "quality": quality, "disable_reservoir": 1,
            "bWriteVbrTag": 0, "write_id3tag_automatic": 0,
            "errorf": None, "debugf": None, "msgf": None,
        }  # fmt: skip
        for name, value in settings.items():
            getattr(lib, f"lame_set_{name}")(self._gfp, value)
        if lib.lame_init_params(self._gfp) < 0:
            self.close()
            raise RenderError(f"LAME rejected {sample_rate} Hz, {channels} ch, {bitrate_kbps} kbps")
        self.channels = channels
        self.encoder_delay = lib.lame_get_encoder_delay(self._gfp)
        self.lowpass_hz = lib.lame_get_lowpassfreq(self._gfp)
        # LAME's CBR presets scale the input down (0.95 at 128 kbps, 0.97 at 192) against
        # clipping; we undo it so every bitrate keeps the master's level (headroom for
        # peaks is the mastering chain's job, see masterstream.audio.lossy).
        self._makeup = 1.0 / lib.lame_get_scale(self._gfp)

    def encode(self, audio: np.ndarray) -> bytes:
        """MP3 bytes for float ``audio`` ``(frames, channels)`` in [-1, 1], then flushed."""
        planar = np.ascontiguousarray(audio.T * self._makeup, dtype=np.float32)
        frames = planar.shape[1]
        buffer = ctypes.create_string_buffer(frames * 5 // 4 + 7200 + 2 * 2880)
        right = planar[1] if self.channels == 2 else planar[0]
        written = self._lib.lame_encode_buffer_ieee_float(
            self._gfp, planar[0].ctypes.data, right.ctypes.data, frames, buffer, len(buffer)
        )
        if written < 0:
            raise RenderError(f"LAME failed to encode ({written})")
        flushed = self._lib.lame_encode_flush(
            self._gfp, ctypes.byref(buffer, written), len(buffer) - written
        )
        if flushed < 0:
            raise RenderError(f"LAME failed to flush ({flushed})")
        return buffer.raw[: written + flushed]

    def close(self) -> None:
        if self._gfp:
            self._lib.lame_close(self._gfp)
            self._gfp = None

    def __enter__(self) -> LameEncoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
