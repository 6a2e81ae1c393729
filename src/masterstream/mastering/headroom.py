"""Plans calibrated again: for a lossy format (ceiling lowered), in album mode (target moved).

Decoding Opus or MP3 raises true peaks above what was encoded, so audio bound for a lossy
format is limited ``headroom_db`` below its preset's ceiling (the format says how much:
:meth:`masterstream.audio.lossy.LossyFormat.peak_headroom_db`). A lower ceiling would also
lower the loudness, so the gain is calibrated again over the whole file, streaming, with the
base plan's gain as the starting point — the decoded stream then measures like the PCM one.
In album mode (:mod:`.album`) the track's target moves by its album offset; calibrating to
the moved target (rather than adding the offset to the gain) keeps the offset when the
limiter works harder on a track pushed up.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..audio.decode import read_blocks, read_info
from .calibration import calibrate
from .plan_model import MasteringPlan


def plan_with_headroom(
    path: str | Path, plan: MasteringPlan, headroom_db: float, offset_db: float = 0.0
) -> MasteringPlan:
    """``plan`` limited ``headroom_db`` lower, its target moved by ``offset_db``, and
    calibrated again for ``path``."""
    if headroom_db <= 0.0 and offset_db == 0.0:
        return plan
    if plan.passthrough or plan.limiter is None or plan.target_lufs is None:
        return plan
    info = read_info(path)
    moved = replace(
        plan,
        limiter=replace(
            plan.limiter, ceiling_dbtp=plan.limiter.ceiling_dbtp - max(headroom_db, 0.0)
        ),
        target_lufs=plan.target_lufs + offset_db,
    )
    source_lufs = plan.target_lufs - plan.gain_db  # where the base calibration started from
    gain_db, output_lufs = calibrate(
        moved, lambda: read_blocks(path, dtype="float32"), info.sample_rate, info.channels,
        source_lufs,
    )  # fmt: skip
    return replace(moved, gain_db=gain_db, calibrated_lufs=output_lufs)
