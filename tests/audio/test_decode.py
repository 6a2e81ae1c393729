import numpy as np
import pytest
import soundfile as sf

from masterstream.audio.decode import read_all, read_blocks, read_info, read_window
from masterstream.errors import SourceUnavailableError, UnsupportedAudioError
from tests.conftest import write_tone

LOSSLESS = [("wav", "WAV", "PCM_16"), ("flac", "FLAC", "PCM_16"), ("wav", "WAV", "PCM_24")]
LOSSY = [
    ("ogg", "OGG", "VORBIS", 44100),
    ("opus", "OGG", "OPUS", 48000),
    ("mp3", "MP3", "MPEG_LAYER_III", 44100),
]


@pytest.mark.parametrize(("ext", "fmt", "subtype"), LOSSLESS)
@pytest.mark.parametrize("sample_rate", [44100, 48000, 88200, 96000])
@pytest.mark.parametrize("channels", [1, 2])
def test_lossless_window_equals_slice_of_whole(tmp_path, ext, fmt, subtype, sample_rate, channels):
    path = write_tone(tmp_path / f"t.{ext}", duration_s=1.5, sample_rate=sample_rate,
                      channels=channels, fmt=fmt, subtype=subtype)  # fmt: skip
    info = read_info(path)
    assert (info.sample_rate, info.channels) == (sample_rate, channels)
    assert info.frames == round(1.5 * sample_rate)
    assert info.duration_s == pytest.approx(1.5)
    whole, rate = read_all(path)
    assert (
        rate == sample_rate and whole.dtype == np.float32 and whole.shape == (info.frames, channels)
    )
    start, stop = info.frames // 3, info.frames // 3 + 1234
    np.testing.assert_array_equal(read_window(path, start, stop), whole[start:stop])


@pytest.mark.parametrize(("ext", "fmt", "subtype", "sample_rate"), LOSSY)
def test_lossy_formats_decode_at_native_rate(tmp_path, ext, fmt, subtype, sample_rate):
    path = write_tone(tmp_path / f"t.{ext}", duration_s=2.0, sample_rate=sample_rate, fmt=fmt,
                      subtype=subtype)  # fmt: skip
    info = read_info(path)
    assert info.sample_rate == sample_rate and info.channels == 2
    assert info.duration_s == pytest.approx(2.0, abs=0.1)
    window = read_window(path, 20000, 30000)
    assert window.shape == (10000, 2)
    rms = float(np.sqrt(np.mean(window**2)))
    assert rms == pytest.approx(0.5 / np.sqrt(2), rel=0.1)  # the tone survived the codec


def test_tags_are_read(tmp_path):
    path = tmp_path / "tagged.flac"
    with sf.SoundFile(path, "w", 44100, 2, format="FLAC") as f:
        f.title, f.artist = "A Title", "An Artist"
        f.write(np.zeros((4410, 2)))
    info = read_info(path)
    assert (info.title, info.artist) == ("A Title", "An Artist")


def test_missing_file_is_source_unavailable(tmp_path):
    with pytest.raises(SourceUnavailableError, match="not found") as exc:
        read_info(tmp_path / "nope.wav")
    assert exc.value.path.endswith("nope.wav")


def test_garbage_is_unsupported(tmp_path):
    path = tmp_path / "garbage.wav"
    path.write_bytes(b"this is not audio at all" * 100)
    with pytest.raises(UnsupportedAudioError):
        read_info(path)


def test_truncated_file_reads_raise_not_return_short(tmp_path):
    path = write_tone(tmp_path / "t.wav", duration_s=2.0)
    info = read_info(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # header still claims 2 s
    with pytest.raises(SourceUnavailableError):
        read_window(path, info.frames - 1000, info.frames)


def test_invalid_window_is_rejected(tmp_path):
    path = write_tone(tmp_path / "t.wav", duration_s=0.5)
    with pytest.raises(ValueError):
        read_window(path, 100, 50)


@pytest.mark.parametrize(("ext", "fmt", "subtype"), LOSSLESS)
@pytest.mark.parametrize("block_frames", [1000, 65536])
def test_blocks_concatenate_to_the_whole_file(tmp_path, ext, fmt, subtype, block_frames):
    path = write_tone(tmp_path / f"t.{ext}", duration_s=2.5, fmt=fmt, subtype=subtype)
    whole, _ = read_all(path)
    blocks = list(read_blocks(path, block_frames))
    assert all(b.shape[0] == block_frames for b in blocks[:-1]) and blocks[-1].dtype == np.float32
    np.testing.assert_array_equal(np.vstack(blocks), whole)
    if subtype == "PCM_16":  # int16 blocks are the same samples in half the memory
        ints = np.vstack(list(read_blocks(path, block_frames, dtype="int16")))
        np.testing.assert_array_equal(ints * np.float32(1 / 32768), whole)


def test_blocks_of_a_truncated_file_raise_not_stop_short(tmp_path):
    path = write_tone(tmp_path / "t.flac", duration_s=3.0, fmt="FLAC", subtype="PCM_16")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # STREAMINFO still claims 3 s
    with pytest.raises(SourceUnavailableError, match=r"t\.flac"):
        for _ in read_blocks(path, 4096):
            pass
