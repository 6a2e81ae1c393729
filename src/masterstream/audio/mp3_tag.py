"""MPEG-1 Layer III frame headers and the Info frame with its LAME tag.

The Info frame is a silent frame whose body carries the Xing/Info header (frame count,
stream size, a seek table) and the LAME extension (encoder delay and padding, for gapless
decoding). Layout, after the 4-byte frame header and the side information:
``"Info"``, flags, frames, bytes, 100-byte TOC, quality (120 bytes), then 36 bytes of LAME
tag ending in two CRC-16s (polynomial 0x8005 reflected): the music CRC, which we cannot
know before every chunk is encoded and leave 0 (decoders do not check it), and the CRC of
all the frame's bytes before it.
"""

from __future__ import annotations

import struct

BITRATES_KBPS = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_RATE_INDEX = {44100: 0, 48000: 1, 32000: 2}
_SOURCE_RATE_BITS = ((32000, 0), (44100, 1), (48000, 2))
_CRC16_TABLE = []
for _byte in range(256):
    _crc = _byte
    for _ in range(8):
        _crc = (_crc >> 1) ^ 0xA001 if _crc & 1 else _crc >> 1
    _CRC16_TABLE.append(_crc)


def crc16(data: bytes) -> int:
    """CRC-16/ARC, the checksum of the LAME tag."""
    crc = 0
    for byte in data:
        crc = (crc >> 8) ^ _CRC16_TABLE[(crc ^ byte) & 0xFF]
    return crc


def frame_bytes(bitrate_kbps: int, sample_rate: int, *, padding: bool) -> int:
    return 144000 * bitrate_kbps // sample_rate + int(padding)


def frame_header(bitrate_kbps: int, sample_rate: int, channels: int) -> bytes:
    """An MPEG-1 Layer III header without CRC or padding; joint stereo or mono."""
    rate_bits = (BITRATES_KBPS.index(bitrate_kbps) + 1) << 4 | _RATE_INDEX[sample_rate] << 2
    mode_bits = 0xC4 if channels == 1 else 0x44  # mono / joint stereo, "original" set
    return bytes((0xFF, 0xFB, rate_bits, mode_bits))


def split_frames(data: bytes) -> list[bytes]:
    """MPEG-1 Layer III frames of ``data``, which must be nothing but frames."""
    frames, offset = [], 0
    while offset < len(data):
        header = int.from_bytes(data[offset : offset + 4], "big")
        rate_index = (header >> 10) & 3
        bitrate_index = (header >> 12) & 15
        if header >> 17 != 0x7FFD or rate_index == 3 or bitrate_index in (0, 15):
            raise ValueError(f"no MPEG-1 Layer III frame at byte {offset}")
        rate = next(r for r, i in _RATE_INDEX.items() if i == rate_index)
        size = frame_bytes(BITRATES_KBPS[bitrate_index - 1], rate, padding=bool(header & 0x200))
        frames.append(data[offset : offset + size])
        offset += size
    return frames


def info_frame(
    *, bitrate_kbps: int, sample_rate: int, channels: int, frames: int, stream_bytes: int,
    encoder_delay: int, padding: int, lowpass_hz: int, source_rate: int, lame_version: str,
) -> bytes:  # fmt: skip
    """The Info frame that opens a CBR stream of ``frames`` audio frames and
    ``stream_bytes`` bytes (this frame included), with the LAME gapless fields."""
    if not (0 <= encoder_delay < 4096 and 0 <= padding < 4096):
        raise ValueError(f"delay {encoder_delay} / padding {padding} do not fit the LAME tag")
    side_info = 17 if channels == 1 else 32
    toc = bytes(i * 256 // 100 for i in range(100))
    xing = b"Info" + struct.pack(">III", 0x0F, frames, stream_bytes) + toc + struct.pack(">I", 0)
    source_bits = next((bits for rate, bits in _SOURCE_RATE_BITS if source_rate <= rate), 3)
    misc = source_bits << 6 | (0 if channels == 1 else 3) << 2  # source rate, stereo mode
    lame = (
        f"LAME{lame_version}"[:9].ljust(9).encode("ascii")
        + bytes((0x01, min(round(lowpass_hz / 100), 255)))  # tag revision 0, CBR; lowpass
        + bytes(8)  # peak amplitude, radio and audiophile replay gain: not measured
        + bytes((0, min(bitrate_kbps, 255)))  # encoding flags / ATH type; bitrate
        + (encoder_delay << 12 | padding).to_bytes(3, "big")
        + bytes((misc, 0, 0, 0))  # misc; MP3 gain; preset and surround
        + struct.pack(">IH", stream_bytes, 0)  # music length; music CRC (unknown)
    )
    body = frame_header(bitrate_kbps, sample_rate, channels) + bytes(side_info) + xing + lame
    body += struct.pack(">H", crc16(body))
    size = frame_bytes(bitrate_kbps, sample_rate, padding=False)
    if len(body) > size:
        raise ValueError(f"an Info frame needs {len(body)} bytes, a frame has {size}")
    return body + bytes(size - len(body))
