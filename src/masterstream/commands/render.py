"""``masterstream render``: master a track (or one chunk) to a file, and with ``--json``
report what was written, with its loudness and true peak measured on the file itself."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from ..errors import MasterstreamError
from .context import DataDir, cli_settings, err, progress_bar

MEASURE_BLOCK_FRAMES = 65_536


def measure_file(path: Path) -> dict[str, Any]:
    """Duration, integrated loudness (BS.1770-4) and true peak of an audio file, decoded
    and measured block by block with masterstream's own meters."""
    from ..audio.decode import read_blocks, read_info
    from ..mastering.loudness_meter import LoudnessMeter
    from ..mastering.peaks import TruePeakStream

    info = read_info(path)
    meter = LoudnessMeter(info.sample_rate, info.channels)
    peaks = TruePeakStream(info.channels)
    peak = 0.0
    for block in read_blocks(path, MEASURE_BLOCK_FRAMES):
        planar = np.array(block.T, dtype=np.float64, order="C")
        peak = max(peak, float(peaks.push(planar).max(initial=0.0)))
        meter.add(planar, overwrite=True)
    peak = max(peak, float(peaks.finish().max(initial=0.0)))
    lufs = meter.integrated_lufs()
    return {
        "duration_s": round(info.frames / info.sample_rate, 3),
        "sample_rate": info.sample_rate,
        "channels": info.channels,
        "integrated_lufs": round(lufs, 2) if math.isfinite(lufs) else None,
        "true_peak_dbtp": round(20 * math.log10(peak), 2) if peak > 0 else None,
    }


def render(
    track: Annotated[str, typer.Argument(help="An audio file path or a catalog track id.")],
    out_path: Annotated[
        Path, typer.Option("--out", "-o", help="Output file: .wav, .flac, .mp3 or .opus.")
    ],
    preset: Annotated[str, typer.Option(help="Mastering preset (see `masterstream presets`).")],
    intensity: Annotated[float, typer.Option(help="0 = original … 1 = fully mastered.")] = 1.0,
    chunk: Annotated[int | None, typer.Option(help="Render only this chunk index.")] = None,
    bitrate: Annotated[
        int | None, typer.Option(help="kbit/s for .mp3 or .opus (default: the format's own).")
    ] = None,
    data_dir: DataDir = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print what was written, with its measured loudness and true peak, as JSON.",
        ),
    ] = False,
) -> None:
    """Master a track (or one chunk of it) to a file, through the server's chunk service."""
    from ..audio.formats import FORMAT_NAMES
    from ..service.export import render_to_file
    from ..service.request import Variant, check_format
    from ..service.workspace import resolve_track

    suffix = out_path.suffix.lower().lstrip(".")
    if suffix not in FORMAT_NAMES:
        raise MasterstreamError(f"--out must end in {', '.join('.' + f for f in FORMAT_NAMES)}")
    fmt = check_format(suffix, bitrate)
    variant = Variant.of(preset, intensity)
    settings = cli_settings(data_dir=data_dir).settings
    with resolve_track(settings, track) as (library, record), progress_bar() as progress:
        geometry = library.geometry(record)
        task = progress.add_task(f"mastering ({preset})", total=1 if chunk is not None else
                                 geometry.chunk_count)  # fmt: skip
        render_to_file(settings, library, record, variant=variant, chunk=chunk,
                       out_path=out_path, fmt=fmt,
                       on_chunk=lambda: progress.advance(task))  # fmt: skip
    if not as_json:
        err.print(f"wrote {out_path}", highlight=False)
        return
    report = {
        "path": str(out_path.resolve()), "format": fmt, "bytes": out_path.stat().st_size,
        "track_id": record.id if record.id > 0 else None, "preset": variant.preset,
        "intensity": variant.intensity, "chunk": chunk, **measure_file(out_path),
    }  # fmt: skip
    print(json.dumps(report, indent=2))
