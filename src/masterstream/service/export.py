"""Mastering a track (or one chunk) to a file for the CLI, through the chunk service.

The file is written chunk by chunk from the same :class:`ChunkService` the server uses
(memory tiers only: the CLI never touches the server's disk cache), so it has exactly the
samples the server streams: WAV and FLAC from the chunks' PCM, MP3 and Opus as the very
bytes of the server's whole-track stream. It is written to a ``.part`` file renamed into
place at the end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf

from ..audio.encode import WAV_HEADER_BYTES
from ..audio.formats import parse_token
from ..cache import MemoryTier
from ..config import Settings
from ..errors import MasterstreamError
from ..library.catalog import TrackRecord
from .engine import Engine
from .request import ChunkRequest, Variant
from .streams import track_stream
from .tracks import TrackLibrary

CLI_TIER_BYTES = 8_000_000


def render_to_file(
    settings: Settings, library: TrackLibrary, record: TrackRecord, *, variant: Variant,
    chunk: int | None, out_path: Path, fmt: str, on_chunk: Callable[[], None] | None = None,
) -> None:  # fmt: skip
    """Render the track (or chunk ``chunk``) to ``out_path`` in ``fmt``: a format token
    (``wav``, ``flac``; ``mp3-192``, ``opus-128`` for a whole track)."""
    asyncio.run(_render(settings, library, record, variant, chunk, out_path, fmt, on_chunk))


async def _render(
    settings: Settings, library: TrackLibrary, record: TrackRecord, variant: Variant,
    chunk: int | None, out_path: Path, fmt: str, on_chunk: Callable[[], None] | None,
) -> None:  # fmt: skip
    tiers = MemoryTier(CLI_TIER_BYTES), MemoryTier(CLI_TIER_BYTES, name="tier2")
    engine = Engine.assemble(settings, library, *tiers, warm=False, owns_catalog=False)
    lossy = parse_token(fmt).lossy is not None
    if lossy and chunk is not None:
        raise MasterstreamError("--chunk renders WAV or FLAC; MP3 and Opus are whole tracks")
    first = ChunkRequest(record.id, 0 if chunk is None else chunk, variant,
                         fmt if lossy else "wav")  # fmt: skip
    engine.chunks.key(first)  # a chunk out of range fails before the file is created
    geometry = library.geometry(record)
    indices = range(geometry.chunk_count) if chunk is None else [chunk]
    tmp = out_path.with_name(out_path.name + ".part")
    try:
        if lossy:
            layout = track_stream(geometry, record.channels, fmt)
            with tmp.open("wb") as f:
                f.write(layout.header)
                for k in indices:
                    f.write(layout.payload(k, (await engine.chunks.get(first.at(k))).data))
                    if on_chunk:
                        on_chunk()
        else:
            with sf.SoundFile(tmp, "w", record.sample_rate, record.channels,
                              format=fmt.upper(), subtype="PCM_16") as f:  # fmt: skip
                for k in indices:
                    wav = (await engine.chunks.get(first.at(k))).data
                    pcm = np.frombuffer(wav, dtype="<i2", offset=WAV_HEADER_BYTES)
                    f.write(pcm.reshape(-1, record.channels))
                    if on_chunk:
                        on_chunk()
        tmp.replace(out_path)
    except OSError as exc:
        raise MasterstreamError(f"cannot write {out_path}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
        await engine.aclose()
