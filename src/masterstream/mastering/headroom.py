"""Plans for lossy encodings: the limiter's ceiling lowered, the loudness kept.

Decoding Opus or MP3 raises true peaks above what was encoded, so audio bound for a lossy
format is limited ``headroom_db`` below its preset's ceiling (the format says how much:
:meth:`masterstream.audio.lossy.LossyFormat.peak_headroom_db`). A lower ceiling would also
lower the loudness, so the gain is calibrated again over the whole file, streaming, with the
base plan's gain as the starting point — the decoded stream then measures like the PCM one.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..audio.decode import read_blocks, read_info
from .calibration import calibrate
from .plan_model import MasteringPlan


def plan_with_headroom(path: str | Path, plan: MasteringPlan, headroom_db: float) -> MasteringPlan:
    """``plan`` limited ``headroom_db`` lower and calibrated again for ``path``."""
    if headroom_db <= 0.0 or plan.passthrough or plan.limiter is None or plan.target_lufs is None:
        return plan
    info = read_info(path)
    lowered = replace(
        plan, limiter=replace(plan.limiter, ceiling_dbtp=plan.limiter.ceiling_dbtp - headroom_db)
    )
    source_lufs = plan.target_lufs - plan.gain_db  # where the base calibration started from
    gain_db, output_lufs = calibrate(
        lowered, lambda: read_blocks(path, dtype="float32"), info.sample_rate, info.channels,
        source_lufs,
    )  # fmt: skip
    return replace(lowered, gain_db=gain_db, calibrated_lufs=output_lufs)
