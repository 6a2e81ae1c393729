"""One FLAC stream from PCM fed piece by piece: ffmpeg decodes it to exactly those samples."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from masterstream.audio.flac_stream import FlacStreamEncoder, flac_header
from tests.audio.lossy_checks import needs_ffmpeg

pytestmark = needs_ffmpeg


@pytest.mark.parametrize(("rate", "channels", "pieces"), [(44100, 2, 7), (48000, 1, 1)])
def test_pieces_decode_to_exactly_the_samples_fed(rate, channels, pieces):
    rng = np.random.default_rng(rate)
    frames = 3 * rate + 1234  # not a multiple of the block size: a short last frame
    pcm = (rng.standard_normal((frames, channels)) * 4000).astype("<i2")
    encoder = FlacStreamEncoder(rate, channels)
    body = flac_header(rate, channels, frames) + b"".join(
        encoder.encode(piece) for piece in np.array_split(pcm, pieces)
    ) + encoder.finish()  # fmt: skip
    decoded = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", "-", "-f", "s16le", "-"],
        input=body, capture_output=True, check=True,
    ).stdout  # fmt: skip
    np.testing.assert_array_equal(np.frombuffer(decoded, "<i2").reshape(-1, channels), pcm)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=duration_ts,sample_rate",
         "-of", "csv=p=0", "-"], input=body, capture_output=True, check=True,
    ).stdout.decode().strip()  # fmt: skip
    assert probe == f"{rate},{frames}"  # the STREAMINFO gives the length before decoding


def test_wrong_pcm_is_refused():
    encoder = FlacStreamEncoder(44100, 2)
    with pytest.raises(ValueError, match="int16"):
        encoder.encode(np.zeros((10, 1), dtype=np.int16))
    with pytest.raises(ValueError, match="int16"):
        encoder.encode(np.zeros((10, 2), dtype=np.float32))
    assert encoder.encode(np.zeros((0, 2), dtype=np.int16)) == b""
