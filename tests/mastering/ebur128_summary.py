"""ffmpeg's ebur128 filter as the independent meter (integrated loudness, loudness range
and true peak of a file, from the filter's summary) and NumPy's crest factor: what measured
figures of a mastered output are checked against."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

TOLERANCES = {"integrated_lufs": 0.5, "loudness_range_lu": 1.0, "true_peak_dbtp": 0.3}
CREST_TOLERANCE_DB = 0.3


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


def assert_measures_like(figures: dict, audio: np.ndarray, sample_rate: int, path: Path) -> None:
    """``figures`` agree with ffmpeg's and NumPy's on ``audio`` (written to ``path``)."""
    sf.write(path, audio, sample_rate, subtype="FLOAT")
    reference = ebur128_summary(path)
    for name, tolerance in TOLERANCES.items():
        assert figures[name] == pytest.approx(reference[name], abs=tolerance), name
    assert figures["crest_factor_db"] == pytest.approx(
        crest_factor_db(audio), abs=CREST_TOLERANCE_DB
    )
