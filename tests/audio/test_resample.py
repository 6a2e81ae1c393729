from itertools import pairwise

import numpy as np
import pytest

from masterstream.audio.resample import Resampler


def _noise(frames, channels=2, seed=0):
    return np.random.default_rng(seed).uniform(-0.5, 0.5, (frames, channels)).astype(np.float32)


@pytest.mark.parametrize(("in_rate", "out_rate"), [(44100, 48000), (96000, 48000), (22050, 44100)])
def test_spans_resampled_alone_tile_the_one_pass_conversion(in_rate, out_rate):
    audio = _noise(round(0.37 * in_rate))
    resampler = Resampler(in_rate, out_rate)
    total = resampler.out_index(audio.shape[0])
    whole = resampler.convert(audio, 0, audio.shape[0], 0, total)
    frames = audio.shape[0]
    cuts = [0, resampler.out_index(frames // 3), resampler.out_index(2 * frames // 3 + 7), total]
    pieces = []
    for out_start, out_stop in pairwise(cuts):
        start, stop = resampler.in_span(out_start, out_stop)
        start, stop = max(start, 0), min(stop, audio.shape[0])  # what a renderer can give
        pieces.append(
            resampler.convert(audio[start:stop], start, audio.shape[0], out_start, out_stop)
        )
    np.testing.assert_allclose(np.concatenate(pieces), whole, rtol=0, atol=1e-6)
    assert total == -(-audio.shape[0] * out_rate // in_rate)


def test_output_is_time_aligned_with_the_source():
    """A 1 kHz tone at 44.1 kHz comes out as the same tone sampled at 48 kHz."""
    t_in = np.arange(44100) / 44100
    tone = np.sin(2 * np.pi * 1000 * t_in)[:, None].astype(np.float32)
    out = Resampler(44100, 48000).convert(tone, 0, 44100, 0, 48000)
    t_out = np.arange(48000) / 48000
    expected = np.sin(2 * np.pi * 1000 * t_out)
    np.testing.assert_allclose(out[1000:-1000, 0], expected[1000:-1000], atol=1e-3)


def _amplitudes(x: np.ndarray, freqs_hz: list[float], rate: int) -> list[float]:
    """Amplitude of each sinusoid in ``x``, fitted jointly (no leakage between them)."""
    t = np.arange(x.size) / rate
    basis = np.concatenate([[np.sin(2 * np.pi * f * t), np.cos(2 * np.pi * f * t)]
                            for f in freqs_hz]).T  # fmt: skip
    coef = np.linalg.lstsq(basis, x.astype(np.float64), rcond=None)[0].reshape(-1, 2)
    return [float(np.hypot(*c)) for c in coef]


@pytest.mark.parametrize("freq_hz", [1000, 15000, 19500])
def test_passband_is_flat_and_audible_aliases_are_90_db_down(freq_hz):
    """The image of a tone at 44.1 kHz - f folds back to 48 kHz - (44.1 kHz - f): for
    f = 15 kHz that is 18.9 kHz, in the audible band, where it must be inaudible."""
    t = np.arange(44100) / 44100
    tone = np.sin(2 * np.pi * freq_hz * t)[:, None].astype(np.float32)
    out = Resampler(44100, 48000).convert(tone, 0, 44100, 0, 48000)[2000:-2000, 0]
    alias_hz = 48000 - (44100 - freq_hz)
    tone_amp, alias_amp = _amplitudes(out, [freq_hz, alias_hz], 48000)
    assert abs(20 * np.log10(tone_amp)) < 0.01
    if alias_hz < 20000:
        assert 20 * np.log10(alias_amp) < -90


def test_missing_audio_is_an_error_not_silence():
    resampler = Resampler(44100, 48000)
    start, stop = resampler.in_span(48000, 96000)
    with pytest.raises(ValueError, match="frames"):
        resampler.convert(_noise(stop - start - 10), start, 10 * 44100, 48000, 96000)


def test_same_rate_is_a_copy_with_silence_past_the_end():
    audio = _noise(100)
    out = Resampler(48000, 48000).convert(audio[50:], 50, 100, 50, 120)
    np.testing.assert_array_equal(out[:50], audio[50:])
    assert not out[50:].any()
