"""RBJ biquads hit their specified gains at every supported sample rate."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from masterstream.mastering.filters import EqBand, biquad_sos, chain_sos

RATES = (44100, 48000, 96000)


def response_db(band: EqBand, sample_rate: int, frequency_hz: float) -> float:
    _, h = signal.sosfreqz(biquad_sos(band, sample_rate), worN=[frequency_hz], fs=sample_rate)
    return float(20 * np.log10(abs(h[0])))


@pytest.mark.parametrize("sample_rate", RATES)
def test_shelves_and_peaks_reach_their_gains(sample_rate: int) -> None:
    low = EqBand("low_shelf", 100.0, 6.0)
    assert response_db(low, sample_rate, 10.0) == pytest.approx(6.0, abs=0.1)
    assert response_db(low, sample_rate, 5000.0) == pytest.approx(0.0, abs=0.1)
    assert response_db(low, sample_rate, 100.0) == pytest.approx(3.0, abs=0.2)  # half gain
    high = EqBand("high_shelf", 4000.0, -4.0)
    assert response_db(high, sample_rate, 18000.0) == pytest.approx(-4.0, abs=0.2)
    assert response_db(high, sample_rate, 100.0) == pytest.approx(0.0, abs=0.05)
    peak = EqBand("peak", 1000.0, 3.0, 1.0)
    assert response_db(peak, sample_rate, 1000.0) == pytest.approx(3.0, abs=0.01)
    assert response_db(peak, sample_rate, 10000.0) == pytest.approx(0.0, abs=0.2)


@pytest.mark.parametrize("sample_rate", RATES)
def test_highpass_removes_rumble(sample_rate: int) -> None:
    band = EqBand("highpass", 25.0, 0.0, 0.7071)
    assert response_db(band, sample_rate, 5.0) < -25.0
    assert response_db(band, sample_rate, 25.0) == pytest.approx(-3.0, abs=0.1)
    assert response_db(band, sample_rate, 200.0) == pytest.approx(0.0, abs=0.1)


def test_chain_stacks_bands_and_rejects_unknown_kinds() -> None:
    bands = (EqBand("low_shelf", 100.0, 2.0), EqBand("peak", 500.0, -1.0))
    assert chain_sos(bands, 44100).shape == (2, 6)
    assert chain_sos((), 44100) is None
    with pytest.raises(ValueError, match="unknown filter kind"):
        biquad_sos(EqBand("notch", 100.0), 44100)
