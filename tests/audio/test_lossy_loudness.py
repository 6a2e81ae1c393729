"""Loudness and true peak after lossy encoding, measured by ffmpeg's ebur128 filter.

Decoding Opus or MP3 raises true peaks above what was encoded, so a master limited to the
preset ceiling (-1.0 dBTP) decodes above it. What the lossy path needs from mastering (not
yet in ``mastering/``): a plan whose limiter ceiling sits ``peak_headroom_db(bitrate)``
lower and whose loudness gain is calibrated again with that ceiling. These tests build that
plan from public mastering functions and check the decoded streams against the PCM stream
of the unchanged plan: the same loudness (within 0.3 LU) and at most -1.0 dBTP.
"""

from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf

from masterstream.audio.lossy import LOSSY_FORMATS
from masterstream.mastering import compute_fingerprint, plan_mastering, render_track
from masterstream.mastering.calibration import calibrate
from tests.audio.lossy_checks import ebur128, encode_stream, needs_ffmpeg
from tests.mastering.material import make_track

pytestmark = needs_ffmpeg
RATE, SECONDS, CEILING_DBTP = 44100, 8.0, -1.0


@pytest.fixture(scope="module", params=["music", "thin"])
def material(request, tmp_path_factory):
    """Loud, bright material: a track mastered with the ``bright`` preset (-14 LUFS,
    -1 dBTP), its plan, and the PCM stream's loudness and true peak."""
    audio = np.array(make_track(request.param, RATE, SECONDS, 2))
    fingerprint = compute_fingerprint(audio, RATE)
    plan = plan_mastering("bright", fingerprint, audio, RATE)
    path = tmp_path_factory.mktemp("pcm") / "master.wav"
    sf.write(path, render_track(audio, RATE, plan, 1.0), RATE, subtype="FLOAT")
    return {"audio": audio, "fingerprint": fingerprint, "plan": plan, "pcm": ebur128(path)}


def lossy_master(material, headroom_db: float) -> np.ndarray:
    """The proposed mastering change: ceiling lowered by ``headroom_db``, gain recalibrated."""
    plan, audio = material["plan"], material["audio"]
    ceiling_dbtp = plan.limiter.ceiling_dbtp - headroom_db
    plan = replace(plan, limiter=replace(plan.limiter, ceiling_dbtp=ceiling_dbtp))
    blocks = lambda: (audio[i : i + 65536] for i in range(0, audio.shape[0], 65536))  # noqa: E731
    gain_db, _ = calibrate(plan, blocks, RATE, 2, material["fingerprint"].integrated_lufs)
    return render_track(audio, RATE, replace(plan, gain_db=gain_db), 1.0)


def decoded_loudness(fmt, bitrate, master, tmp_path):
    data, _ = encode_stream(fmt, master, RATE, bitrate, chunk_duration_s=4.0)
    path = tmp_path / f"stream.{fmt}"
    path.write_bytes(data)
    return ebur128(path)


@pytest.mark.parametrize(
    ("fmt", "bitrate"),
    [("opus", 64), ("opus", 128), ("opus", 256), ("mp3", 128), ("mp3", 192), ("mp3", 320)],
)
def test_decoded_stream_keeps_loudness_and_true_peak_ceiling(material, fmt, bitrate, tmp_path):
    headroom = LOSSY_FORMATS[fmt].peak_headroom_db(bitrate)
    master = lossy_master(material, headroom)
    loudness, peak = decoded_loudness(fmt, bitrate, master, tmp_path)
    pcm_loudness, _ = material["pcm"]
    assert abs(loudness - pcm_loudness) <= 0.3
    assert peak <= CEILING_DBTP


def test_without_headroom_the_ceiling_does_not_survive_decoding(material, tmp_path):
    """Why the headroom exists: the PCM master keeps -1 dBTP, its default-bitrate Opus or
    MP3 stream does not, though the level itself is kept."""
    master = render_track(material["audio"], RATE, material["plan"], 1.0)
    pcm_loudness, pcm_peak = material["pcm"]
    assert pcm_peak <= CEILING_DBTP
    peaks = []
    for fmt, spec in LOSSY_FORMATS.items():
        loudness, peak = decoded_loudness(fmt, spec.default_bitrate_kbps, master, tmp_path)
        assert abs(loudness - pcm_loudness) <= 0.3
        peaks.append(peak)
    assert max(peaks) > CEILING_DBTP


def test_headroom_grows_at_low_opus_bitrates():
    opus, mp3 = LOSSY_FORMATS["opus"], LOSSY_FORMATS["mp3"]
    assert opus.peak_headroom_db(64) > opus.peak_headroom_db(128) == opus.peak_headroom_db(256)
    assert mp3.peak_headroom_db(128) == mp3.peak_headroom_db(320) > 0
