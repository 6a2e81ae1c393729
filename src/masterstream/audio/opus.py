"""Ogg Opus chunks that continue one logical stream.

A track's Opus stream is one Ogg logical bitstream: an OpusHead page and an OpusTags
page (:meth:`OpusStream.header`), then the audio pages of chunk 0, chunk 1, ... — one
serial number, page sequence numbers and granule positions continuing across chunks, the
last page flagged end-of-stream. That is the form every player seeks and times best
(a chained stream would restart the clock at every chunk). Chunk bytes are therefore
stream segments: ``header() + chunk_0 + ... + chunk_n`` is the whole file, and any
``header() + chunk_0 + ... + chunk_k`` is a valid prefix.

Packets lie on one grid for the whole track: packet ``p`` encodes the 48 kHz samples
``[960 p, 960 (p + 1))`` of the encoder input, which the decoder returns ``pre_skip``
samples late (the encoder's look-ahead, signalled once in OpusHead). Chunk ``k`` owns the
packets whose first decoded sample falls in its span, so the chunks' packets tile the
stream. Each chunk is encoded by a fresh encoder that starts ``PREROLL_PACKETS`` packets
early on the same grid; the pre-roll packets settle the encoder's state on the audio
before the chunk and are dropped. The decoder carries its state across the boundary, so
it sees what a continuous encode would have given it, up to the encoder's own choices.
The last page's granule position trims the padding after the track's last sample.
A standalone chunk (a file of its own) keeps its pre-roll packets instead, behind its own
headers, and marks them as pre-skip.
"""

from __future__ import annotations

import bisect
import struct
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

import av
import numpy as np

from ..errors import RenderError
from .ogg import FLAG_BOS, FLAG_EOS, page, read_pages, shift_pages
from .resample import Resampler

if TYPE_CHECKING:
    from .chunks import ChunkGeometry

OPUS_RATE = 48000
FRAME_SAMPLES = 960  # 20 ms packets
PACKETS_PER_PAGE = 25  # 0.5 s pages; 25 packets of <= 1275 bytes always fit one page
PREROLL_PACKETS = 10
SEEK_PREROLL_PACKETS = 4  # 80 ms decoded and discarded after a start_s seek (RFC 7845 4.6)
COMPLEXITY = 10
SERIAL = 0x6D737472  # one logical stream per response; any fixed value will do
VENDOR = b"masterstream"


@lru_cache(maxsize=4)
def opus_pre_skip(channels: int) -> int:
    """The encoder's look-ahead in 48 kHz samples, as libopus reports it in OpusHead."""
    context = _codec_context(channels, 128)
    return struct.unpack_from("<H", bytes(context.extradata), 10)[0]


def _codec_context(channels: int, bitrate_kbps: int) -> av.AudioCodecContext:
    context = av.CodecContext.create("libopus", "w")
    context.sample_rate = OPUS_RATE
    context.layout = "mono" if channels == 1 else "stereo"
    context.format = "flt"
    context.bit_rate = bitrate_kbps * 1000
    context.options = {"application": "audio", "vbr": "on", "compression_level": str(COMPLEXITY)}
    context.open()
    return context


def encode_packets(samples: np.ndarray, bitrate_kbps: int) -> list[bytes]:
    """Opus packets of 48 kHz float ``samples`` (a multiple of 960 frames), one per 20 ms,
    from a fresh encoder; the encoder's flush packet is not included."""
    channels = samples.shape[1]
    try:
        context = _codec_context(channels, bitrate_kbps)
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples, dtype=np.float32).reshape(1, -1),
            format="flt",
            layout=context.layout,
        )
        frame.sample_rate, frame.pts = OPUS_RATE, 0
        packets = [bytes(packet) for packet in context.encode(frame)]
    except av.FFmpegError as exc:
        raise RenderError(f"Opus encoding failed: {exc}") from exc
    expected = samples.shape[0] // FRAME_SAMPLES
    if len(packets) != expected:
        raise RenderError(f"Opus encoder returned {len(packets)} packets for {expected} frames")
    return packets


@dataclass(frozen=True, slots=True)
class OpusStart:
    """Where a stream that starts later in the track begins: at ``packet`` (of chunk
    ``chunk_index``), with ``pre_skip`` samples decoded and discarded before the start."""

    packet: int
    chunk_index: int
    pre_skip: int
    sample: int  # the first sample it decodes to


class OpusStream:
    """The Ogg Opus stream of one track (``geometry``, ``channels``) at ``bitrate_kbps``."""

    output_sample_rate = OPUS_RATE

    def __init__(self, geometry: ChunkGeometry, channels: int, bitrate_kbps: int) -> None:
        self.geometry, self.channels, self.bitrate_kbps = geometry, channels, bitrate_kbps
        self.resampler = Resampler(geometry.sample_rate, OPUS_RATE)
        self.pre_skip = opus_pre_skip(channels)

    @cached_property
    def output_frames(self) -> int:
        """Samples the decoded stream holds (48 kHz)."""
        return self.resampler.out_index(self.geometry.total_frames)

    @property
    def duration_s(self) -> float:
        return self.output_frames / OPUS_RATE

    @cached_property
    def _packet_bounds(self) -> tuple[int, ...]:
        """First packet of every chunk, then the total packet count."""
        total = -(-(self.output_frames + self.pre_skip) // FRAME_SAMPLES)
        starts = [0]
        for k in range(1, self.geometry.chunk_count):
            first = self.resampler.out_index(self.geometry.chunk_span(k)[0]) + self.pre_skip
            starts.append(min(-(-first // FRAME_SAMPLES), total - 1))
        return (*starts, total)

    @cached_property
    def _first_sequences(self) -> tuple[int, ...]:
        bounds, sequences = self._packet_bounds, [2]  # pages 0 and 1 are the headers
        for k in range(self.geometry.chunk_count):
            sequences.append(sequences[-1] + -(-(bounds[k + 1] - bounds[k]) // PACKETS_PER_PAGE))
        return tuple(sequences)

    def packet_range(self, chunk_index: int) -> tuple[int, int]:
        self.geometry.check_index(chunk_index)
        return self._packet_bounds[chunk_index], self._packet_bounds[chunk_index + 1]

    def _input_range(self, chunk_index: int) -> tuple[int, int]:
        """48 kHz encoder input ``[start, stop)`` for ``chunk_index``, pre-roll included."""
        first, stop = self.packet_range(chunk_index)
        return FRAME_SAMPLES * max(first - PREROLL_PACKETS, 0), FRAME_SAMPLES * stop

    def input_span(self, chunk_index: int) -> tuple[int, int]:
        """Track frames ``[start, stop)`` :meth:`encode_chunk` needs for ``chunk_index``."""
        start, stop = self.resampler.in_span(*self._input_range(chunk_index))
        return max(start, 0), min(stop, self.geometry.total_frames)

    def encode_chunk(
        self, audio: np.ndarray, chunk_index: int, *, start_frame: int, standalone: bool = False
    ) -> bytes:
        """The Ogg pages of ``chunk_index`` from float ``audio`` ``(frames, channels)`` that
        holds track frames ``[start_frame, start_frame + len(audio))`` ⊇ :meth:`input_span`.

        ``standalone``: a file of its own instead of a stream segment — its own headers, the
        pre-roll packets kept and marked as pre-skip, the end trimmed — that decodes to
        exactly the chunk's samples (a player can decode chunks one by one and queue them).
        """
        if audio.ndim != 2 or audio.shape[1] != self.channels:
            raise ValueError(f"expected (frames, {self.channels}) audio, got {audio.shape}")
        in_start, in_stop = self._input_range(chunk_index)
        samples = self.resampler.convert(
            audio, start_frame, self.geometry.total_frames, in_start, in_stop
        )
        packets = encode_packets(samples, self.bitrate_kbps)
        first = self.packet_range(chunk_index)[0]
        if not standalone:
            last = chunk_index == self.geometry.chunk_count - 1
            return self._pages(
                packets[first - in_start // FRAME_SAMPLES :],
                granule_base=first * FRAME_SAMPLES,
                sequence=self._first_sequences[chunk_index],
                final_granule=self.output_frames + self.pre_skip if last else None,
            )
        emit_start, emit_stop = (self.resampler.out_index(f)
                                 for f in self.geometry.chunk_span(chunk_index))  # fmt: skip
        pre_skip = emit_start + self.pre_skip - in_start
        final = pre_skip + emit_stop - emit_start
        return self._head_pages(pre_skip) + self._pages(
            packets, granule_base=0, sequence=2, final_granule=final
        )

    def _pages(
        self, packets: list[bytes], *, granule_base: int, sequence: int, final_granule: int | None
    ) -> bytes:
        """Ogg pages of ``packets``, the first at granule ``granule_base`` and page number
        ``sequence``; ``final_granule`` (end trim) ends the stream on the last page."""
        pages = []
        for i in range(0, len(packets), PACKETS_PER_PAGE):
            group = packets[i : i + PACKETS_PER_PAGE]
            granule, flags = granule_base + (i + len(group)) * FRAME_SAMPLES, 0
            if final_granule is not None and i + PACKETS_PER_PAGE >= len(packets):
                granule, flags = final_granule, FLAG_EOS
            pages.append(page(group, serial=SERIAL, sequence=sequence + i // PACKETS_PER_PAGE,
                              granule=granule, flags=flags))  # fmt: skip
        return b"".join(pages)

    def header(self, start: OpusStart | None = None) -> bytes:
        """OpusHead and OpusTags pages: what precedes the first chunk's bytes."""
        return self._head_pages(self.pre_skip if start is None else start.pre_skip)

    def start_at(self, sample: int) -> OpusStart:
        """Where a stream whose first decoded sample is output sample ``sample`` begins:
        ``SEEK_PREROLL_PACKETS`` before it (the decoder settles), skipped as pre-skip."""
        packet = max((sample + self.pre_skip) // FRAME_SAMPLES - SEEK_PREROLL_PACKETS, 0)
        chunk = bisect.bisect_right(self._packet_bounds, packet, hi=self.geometry.chunk_count)
        pre_skip = sample + self.pre_skip - packet * FRAME_SAMPLES
        return OpusStart(packet, chunk - 1, pre_skip, sample)

    def sizes_from(self, start: OpusStart | None = None) -> None:
        """VBR: chunk sizes are known only once the chunks are encoded."""
        return None

    def chunk_from(self, data: bytes, chunk_index: int, start: OpusStart) -> bytes:
        """Chunk ``chunk_index``'s stream bytes (as :meth:`encode_chunk` made them) placed in
        the stream that begins at ``start``: the first chunk's packets from ``start.packet``
        paged anew, later pages moved (granule positions and page numbers continue)."""
        granule_shift = -start.packet * FRAME_SAMPLES
        first, stop = self.packet_range(start.chunk_index)
        if chunk_index != start.chunk_index:
            first_pages = -(-(stop - start.packet) // PACKETS_PER_PAGE)
            sequence_shift = 2 + first_pages - self._first_sequences[start.chunk_index + 1]
            return shift_pages(data, granule_shift=granule_shift, sequence_shift=sequence_shift)
        packets = [packet for page_ in read_pages(data) for packet in page_.packets]
        last = chunk_index == self.geometry.chunk_count - 1
        return self._pages(
            packets[start.packet - first :], granule_base=0, sequence=2,
            final_granule=self.output_frames + self.pre_skip + granule_shift if last else None,
        )  # fmt: skip

    def _head_pages(self, pre_skip: int) -> bytes:
        head = b"OpusHead" + struct.pack(
            "<BBHIhB", 1, self.channels, pre_skip, self.geometry.sample_rate, 0, 0
        )
        tags = b"OpusTags" + struct.pack("<I", len(VENDOR)) + VENDOR + struct.pack("<I", 0)
        return page([head], serial=SERIAL, sequence=0, granule=0, flags=FLAG_BOS) + page(
            [tags], serial=SERIAL, sequence=1, granule=0
        )

    def estimated_chunk_bytes(self, chunk_index: int) -> int:
        """Nominal size of a chunk at the nominal bitrate (VBR: the real size differs)."""
        first, stop = self.packet_range(chunk_index)
        packet_bytes = self.bitrate_kbps * 1000 * FRAME_SAMPLES // OPUS_RATE // 8
        pages = -(-(stop - first) // PACKETS_PER_PAGE)
        return (stop - first) * (packet_bytes + packet_bytes // 255 + 1) + pages * 27

    @cached_property
    def estimated_size_bytes(self) -> int:
        """Nominal size of the whole stream, header included."""
        chunks = range(self.geometry.chunk_count)
        return len(self.header()) + sum(self.estimated_chunk_bytes(k) for k in chunks)
