"""The streaming biquad cascade equals scipy's one-call filter, however it is cut."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from masterstream.mastering.cascade import BiquadCascade
from masterstream.mastering.filters import K_WEIGHTING, chain_sos
from masterstream.mastering.presets import get_preset

from .material import make_track


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("block_frames", [1, 4410, 65536])
def test_blocks_equal_one_sosfilt_call(channels: int, block_frames: int) -> None:
    sos = np.vstack([chain_sos(get_preset("warm").eq, 44100), chain_sos(K_WEIGHTING, 44100)])
    planar = np.ascontiguousarray(make_track("music", 44100, 3.0, channels).T, dtype=np.float64)
    expected = signal.sosfilt(sos, planar, axis=-1)
    cascade = BiquadCascade(sos, channels)
    streamed = np.hstack(
        [
            cascade.process(planar[:, start : start + block_frames].copy())
            for start in range(0, planar.shape[1], block_frames)
        ]
    )
    np.testing.assert_allclose(streamed, expected, rtol=0, atol=1e-12)


def test_an_empty_cascade_passes_audio_through() -> None:
    planar = np.random.default_rng(0).standard_normal((2, 100))
    np.testing.assert_array_equal(BiquadCascade(None, 2).process(planar.copy()), planar)
