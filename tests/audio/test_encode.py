import io
import shutil
import subprocess

import numpy as np
import pytest
import soundfile as sf

from masterstream.audio.decode import read_all
from masterstream.audio.encode import ENCODERS, WAV_HEADER_BYTES, encode, to_pcm16
from masterstream.errors import UnsupportedFormatError
from tests.conftest import write_tone


def _noise(frames=20000, channels=2, seed=0):
    return np.random.default_rng(seed).uniform(-0.9, 0.9, (frames, channels)).astype(np.float32)


@pytest.mark.parametrize("fmt", sorted(ENCODERS))
@pytest.mark.parametrize("channels", [1, 2])
def test_encoded_bytes_decode_to_the_pcm16_samples(fmt, channels):
    audio = _noise(channels=channels)
    data = encode(audio, 48000, fmt)
    decoded, rate = sf.read(io.BytesIO(data), dtype="int16", always_2d=True)
    assert rate == 48000
    np.testing.assert_array_equal(decoded, to_pcm16(audio))


def test_wav_header_is_canonical_44_bytes():
    audio = _noise(1000)
    data = encode(audio, 44100, "wav")
    assert data[:4] == b"RIFF" and data[8:16] == b"WAVEfmt " and data[36:40] == b"data"
    assert len(data) == WAV_HEADER_BYTES + 1000 * 2 * 2
    assert int.from_bytes(data[40:44], "little") == 1000 * 2 * 2


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe (ffmpeg) not installed")
@pytest.mark.parametrize("fmt", sorted(ENCODERS))
def test_ffprobe_agrees_on_our_encodings(tmp_path, fmt):
    path = tmp_path / f"x.{fmt}"
    path.write_bytes(encode(_noise(44100), 44100, fmt))
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=sample_rate,channels,duration_ts",
         "-of", "csv=p=0", str(path)], capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert out.split(",")[:2] == ["44100", "2"]


def test_sixteen_bit_source_round_trips_bit_exactly(tmp_path):
    path = write_tone(tmp_path / "t.wav", duration_s=1.0, subtype="PCM_16")
    original, _ = sf.read(path, dtype="int16", always_2d=True)
    audio, rate = read_all(path)
    decoded, _ = sf.read(io.BytesIO(encode(audio, rate, "wav")), dtype="int16", always_2d=True)
    np.testing.assert_array_equal(decoded, original)


def test_dither_is_deterministic_per_seed_and_small():
    audio = _noise()
    a = encode(audio, 44100, "wav", dither_seed=7)
    assert a == encode(audio, 44100, "wav", dither_seed=7)
    assert a != encode(audio, 44100, "wav", dither_seed=8)
    plain = to_pcm16(audio).astype(int)
    dithered = to_pcm16(audio, dither_seed=7).astype(int)
    assert np.abs(dithered - plain).max() <= 2


def test_clipping_instead_of_wraparound():
    pcm = to_pcm16(np.array([[1.5], [-1.5], [1.0], [-1.0]]))
    assert pcm[:, 0].tolist() == [32767, -32768, 32767, -32768]


def test_unknown_format_names_the_supported_ones():
    with pytest.raises(UnsupportedFormatError, match="flac, wav"):
        encode(_noise(10), 44100, "mp4")
