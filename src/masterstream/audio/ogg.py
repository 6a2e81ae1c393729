"""Ogg pages (RFC 3533): writing whole-packet pages and reading them back.

Only what an Opus stream of whole packets needs: a page never continues a packet, so a
page is a header, a lacing table and the packets it completes. The page checksum is the
Ogg CRC-32 (polynomial 0x04C11DB7, not reflected, no initial or final XOR); it is
computed with zlib's reflected CRC-32 on bit-reversed bytes, which is the same function
mirrored, so checksumming runs at C speed.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

CAPTURE = b"OggS"
HEADER = struct.Struct("<4sBBqIIIB")  # capture, version, flags, granule, serial, seq, crc, n
FLAG_BOS = 0x02
FLAG_EOS = 0x04
MAX_SEGMENTS = 255

_REVERSED_BITS = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


def _reverse32(value: int) -> int:
    return int(f"{value:032b}"[::-1], 2)


def ogg_crc(data: bytes) -> int:
    """The Ogg page checksum of ``data`` (the page with its CRC field zeroed)."""
    mirrored = zlib.crc32(data.translate(_REVERSED_BITS), 0xFFFFFFFF) ^ 0xFFFFFFFF
    return _reverse32(mirrored)


def lacing(packets: Sequence[bytes]) -> bytes:
    """The segment table for whole ``packets``: 255s then the remainder (0 if none)."""
    table = bytearray()
    for packet in packets:
        full, rest = divmod(len(packet), 255)
        table += b"\xff" * full + bytes((rest,))
    if len(table) > MAX_SEGMENTS:
        raise ValueError(f"{len(packets)} packets need {len(table)} segments (max 255)")
    return bytes(table)


def page(
    packets: Sequence[bytes], *, serial: int, sequence: int, granule: int, flags: int = 0
) -> bytes:
    """One Ogg page holding ``packets`` whole; ``granule`` is the position after them."""
    table = lacing(packets)
    header = HEADER.pack(CAPTURE, 0, flags, granule, serial, sequence, 0, len(table))
    body = b"".join(packets)
    crc = ogg_crc(header + table + body)
    return header[:22] + struct.pack("<I", crc) + header[26:] + table + body


@dataclass(frozen=True, slots=True)
class Page:
    """One parsed page: its header fields and the packets (or packet parts) it holds."""

    flags: int
    granule: int
    serial: int
    sequence: int
    packets: tuple[bytes, ...]
    continued_last: bool
    offset: int
    size_bytes: int


def read_pages(data: bytes) -> Iterator[Page]:
    """Parse consecutive pages of ``data``, checking capture pattern and CRC."""
    offset = 0
    while offset < len(data):
        if data[offset : offset + 4] != CAPTURE or len(data) - offset < HEADER.size:
            raise ValueError(f"no Ogg page at byte {offset}")
        _, version, flags, granule, serial, seq, crc, count = HEADER.unpack_from(data, offset)
        table = data[offset + HEADER.size : offset + HEADER.size + count]
        body_start = offset + HEADER.size + count
        end = body_start + sum(table)
        if version != 0 or len(table) != count or end > len(data):
            raise ValueError(f"truncated or unknown Ogg page at byte {offset}")
        raw = bytearray(data[offset:end])
        raw[22:26] = b"\0\0\0\0"
        if ogg_crc(bytes(raw)) != crc:
            raise ValueError(f"Ogg page at byte {offset} fails its CRC")
        packets, start, length = [], body_start, 0
        for value in table:
            length += value
            if value < 255:
                packets.append(data[start : start + length])
                start, length = start + length, 0
        continued = length > 0
        if continued:
            packets.append(data[start : start + length])
        yield Page(flags, granule, serial, seq, tuple(packets), continued, offset, end - offset)
        offset = end


def shift_pages(data: bytes, *, granule_shift: int, sequence_shift: int) -> bytes:
    """``data`` (whole pages) with every granule position and page number moved by the
    shifts and the checksums redone: the same pages placed elsewhere in a stream."""
    out = bytearray(data)
    offset = 0
    while offset < len(out):
        if out[offset : offset + 4] != CAPTURE or len(out) - offset < HEADER.size:
            raise ValueError(f"no Ogg page at byte {offset}")
        _, _, flags, granule, serial, seq, _, count = HEADER.unpack_from(out, offset)
        end = (
            offset
            + HEADER.size
            + count
            + sum(out[offset + HEADER.size : offset + HEADER.size + count])
        )
        if end > len(out):
            raise ValueError(f"truncated Ogg page at byte {offset}")
        if granule != -1:  # -1: no packet ends on this page
            granule += granule_shift
        HEADER.pack_into(out, offset, CAPTURE, 0, flags, granule, serial, seq + sequence_shift,
                         0, count)  # fmt: skip
        struct.pack_into("<I", out, offset + 22, ogg_crc(bytes(out[offset:end])))
        offset = end
    return bytes(out)
