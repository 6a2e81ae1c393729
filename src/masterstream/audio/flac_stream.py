"""One continuous FLAC stream from 16-bit PCM handed over piece by piece.

A whole-track FLAC response cannot be stitched from the cached FLAC chunks (each is a file
of its own whose frame numbers restart at 0), so it is encoded as it is sent: one libFLAC-
compatible encoder (FFmpeg's, through PyAV) per response, fed each chunk's PCM in order.
The stream is ``fLaC``, one STREAMINFO block written before any audio is encoded — the
total sample count is known from the track, the MD5 and frame sizes are left "unknown",
as the format allows for streams — then the encoder's frames (fixed block size, the last
one shorter). A decoder returns exactly the samples fed in.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from ..errors import RenderError

if TYPE_CHECKING:
    import av

STREAMINFO_BYTES = 34
TOTAL_SAMPLES_BITS = 36
_LAST_STREAMINFO = bytes((0x80, 0, 0, STREAMINFO_BYTES))  # last metadata block, type 0


def _context(sample_rate: int, channels: int) -> av.AudioCodecContext:
    import av  # PyAV loads with the first FLAC stream, not at start-up

    context = av.CodecContext.create("flac", "w")
    context.sample_rate = sample_rate
    context.layout = "mono" if channels == 1 else "stereo"
    context.format = "s16"
    context.open()
    return context


@lru_cache(maxsize=16)
def _streaminfo_template(sample_rate: int, channels: int) -> bytes:
    return bytes(_context(sample_rate, channels).extradata)


def flac_header(sample_rate: int, channels: int, total_frames: int) -> bytes:
    """``fLaC`` and the STREAMINFO of a stream of ``total_frames`` 16-bit frames."""
    info = bytearray(_streaminfo_template(sample_rate, channels))
    if len(info) != STREAMINFO_BYTES:
        raise RenderError(f"FLAC encoder gave a {len(info)}-byte STREAMINFO")
    fields = int.from_bytes(info[10:18], "big") >> TOTAL_SAMPLES_BITS << TOTAL_SAMPLES_BITS
    info[10:18] = (fields | total_frames).to_bytes(8, "big")
    info[4:10] = bytes(6)  # frame sizes: unknown
    info[18:] = bytes(16)  # MD5: unknown
    return b"fLaC" + _LAST_STREAMINFO + bytes(info)


class FlacStreamEncoder:
    """FLAC frames of 16-bit PCM ``(frames, channels)`` fed in order; :meth:`finish` ends."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        self.sample_rate, self.channels = sample_rate, channels
        self._context = _context(sample_rate, channels)
        self._pts = 0

    def encode(self, pcm: np.ndarray) -> bytes:
        """The frames completed by ``pcm`` (int16; a partial frame waits for more)."""
        if pcm.ndim != 2 or pcm.shape[1] != self.channels or pcm.dtype != np.int16:
            raise ValueError(f"expected int16 (frames, {self.channels}) PCM, got {pcm.shape}")
        if not len(pcm):
            return b""
        import av

        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(pcm).reshape(1, -1), format="s16",
            layout=self._context.layout,
        )  # fmt: skip
        frame.sample_rate, frame.pts = self.sample_rate, self._pts
        self._pts += len(pcm)
        return self._packets(frame)

    def finish(self) -> bytes:
        """The last (shorter) frame: nothing more may be encoded."""
        return self._packets(None)

    def _packets(self, frame: av.AudioFrame | None) -> bytes:
        import av

        try:
            return b"".join(bytes(packet) for packet in self._context.encode(frame))
        except av.FFmpegError as exc:
            raise RenderError(f"FLAC encoding failed: {exc}") from exc
