"""The streamed true-peak envelope equals the whole-track one; a floor only skips what
cannot reach it."""

from __future__ import annotations

import numpy as np
import pytest

from masterstream.mastering.limiter import true_peak_envelope_planar
from masterstream.mastering.peaks import TruePeakStream

from .material import make_track


def streamed(planar: np.ndarray, block_frames: int, floor: float = -1.0) -> np.ndarray:
    stream = TruePeakStream(planar.shape[0])
    parts = [
        stream.push(planar[:, s : s + block_frames], floor)
        for s in range(0, planar.shape[1], block_frames)
    ]
    return np.concatenate([*parts, stream.finish(floor)])


@pytest.mark.parametrize("block_frames", [1, 5, 10, 19, 20, 1000, 70000])
def test_any_block_size_gives_the_whole_track_envelope(block_frames: int) -> None:
    planar = np.ascontiguousarray(make_track("thin", 44100, 1.5).T, dtype=np.float64)
    expected = true_peak_envelope_planar(planar)
    np.testing.assert_allclose(streamed(planar, block_frames), expected, rtol=1e-12, atol=1e-15)


def test_a_floor_keeps_every_value_above_it_exact_and_the_rest_under_it() -> None:
    planar = np.ascontiguousarray(make_track("quiet_dynamic", 44100, 8.0).T, dtype=np.float64)
    expected = true_peak_envelope_planar(planar)
    floor = 0.5 * float(expected.max())
    got = streamed(planar, 8192, floor)
    above = expected > floor
    assert above.any() and (~above).any()
    np.testing.assert_allclose(got[above], expected[above], rtol=1e-12)
    assert np.all(got[~above] <= floor + 1e-15)
    assert np.all(got <= expected + 1e-15)  # never more than the true value
    # a floor above everything still gives the exact maximum's lower bound: the sample peak
    top = streamed(planar, 8192, floor=10.0)
    assert top.max() == pytest.approx(np.abs(planar).max())
