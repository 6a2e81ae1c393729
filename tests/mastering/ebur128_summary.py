"""ffmpeg's ebur128 filter as the independent meter: integrated loudness, loudness range
and true peak of a file, from the filter's summary."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np


def ebur128_summary(path: Path) -> dict[str, float]:
    """``integrated_lufs``, ``loudness_range_lu`` and ``true_peak_dbtp`` of ``path``."""
    err = subprocess.run(
        ["ffmpeg", "-nostats", "-hide_banner", "-i", str(path), "-af",
         "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    summary = err[err.rindex("Summary:") :]

    def number(label: str) -> float:
        return float(re.search(rf"{label}:\s+(-?[\d.]+|-inf)", summary).group(1))  # type: ignore[union-attr]

    return {
        "integrated_lufs": number("I"),
        "loudness_range_lu": number("LRA"),
        "true_peak_dbtp": number("Peak"),
    }


def crest_factor_db(audio: np.ndarray) -> float:
    """Sample peak over the RMS of all samples and channels (the fingerprint's definition)."""
    audio = np.asarray(audio, dtype=np.float64)
    peak_db = 20 * np.log10(np.max(np.abs(audio)))
    return float(peak_db - 10 * np.log10(np.mean(np.square(audio))))
