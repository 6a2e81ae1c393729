"""Opus and MP3 encoder candidates: speed per core on one 10 s chunk, bytes per minute.

Every candidate encodes the same 10 s of synthesised 44.1 kHz stereo music at the default
bitrates (Opus 128 kbit/s, MP3 192 kbit/s), in one process pinned to one core (numpy and
friends single-threaded), candidates interleaved round by round; ffmpeg as a subprocess is
the anchor. Speed is CPU time (ours plus a subprocess's), so a busy shared machine inflates
it less than wall time; both are reported, as medians over the rounds. Then the chosen
path (masterstream.audio.lossy) encodes the chunk at every offered bitrate for the bytes
a minute of music costs. Prints a table and writes bench/results/bench_encoders.{md,json}.

    .venv/bin/python bench/bench_encoders.py [--rounds N]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the test material synthesiser lives in tests/mastering

from tests.mastering.material import make_track  # noqa: E402

from masterstream.audio.chunks import ChunkGeometry  # noqa: E402
from masterstream.audio.lame import LameEncoder, lame_version  # noqa: E402
from masterstream.audio.lossy import LOSSY_FORMATS, lossy_stream  # noqa: E402
from masterstream.audio.mp3 import QUALITY  # noqa: E402
from masterstream.audio.opus import COMPLEXITY, encode_packets  # noqa: E402
from masterstream.audio.resample import Resampler  # noqa: E402

RATE, CHUNK_S = 44100, 10.0
RESULTS = REPO / "bench" / "results" / "bench_encoders"
COMMAND = ".venv/bin/python bench/bench_encoders.py"


def cpu_s() -> float:
    """CPU seconds of this thread plus every finished child process."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.thread_time() + children.ru_utime + children.ru_stime


def ffmpeg(pcm16: np.ndarray, *codec_args: str) -> bytes:
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "s16le", "-ar", str(RATE), "-ac", "2", "-i", "-",
         *codec_args, "-"], input=pcm16.tobytes(), capture_output=True, check=True,
    ).stdout  # fmt: skip


def libsndfile(audio: np.ndarray, rate: int, fmt: str, subtype: str, level: float,
               mode: str | None = None) -> bytes:  # fmt: skip
    """libsndfile sets bitrates through a compression level; the levels used here give the
    default bitrates on this material (the table shows what came out)."""
    buffer = io.BytesIO()
    sf.write(buffer, audio, rate, format=fmt, subtype=subtype, compression_level=level,
             bitrate_mode=mode)  # fmt: skip
    return buffer.getvalue()


def pyav_mp3(audio: np.ndarray) -> bytes:
    import av

    context = av.CodecContext.create("libmp3lame", "w")
    context.sample_rate, context.layout, context.format = RATE, "stereo", "fltp"
    context.bit_rate = 192000
    context.options = {"reservoir": "0", "compression_level": str(QUALITY)}
    context.open()
    planar = np.ascontiguousarray(audio.T, dtype=np.float32)
    frame = av.AudioFrame.from_ndarray(planar, format="fltp", layout="stereo")
    frame.sample_rate, frame.pts = RATE, 0
    return b"".join(bytes(p) for p in [*context.encode(frame), *context.encode(None)])


def lameenc_api(pcm16: np.ndarray) -> bytes:
    import lameenc

    encoder = lameenc.Encoder()
    encoder.set_bit_rate(192)
    encoder.set_in_sample_rate(RATE)
    encoder.set_channels(2)
    encoder.set_quality(QUALITY)
    return bytes(encoder.encode(pcm16.tobytes()) + encoder.flush())


def chunk_path(fmt: str, track: np.ndarray, bitrate: int | None) -> Callable[[], bytes]:
    """Our whole path for the middle chunk of a 30 s track: resample, pre-roll, encode."""
    stream = lossy_stream(fmt, ChunkGeometry(track.shape[0], RATE), 2, bitrate)
    start, stop = stream.input_span(1)
    window = track[start:stop].copy()
    return lambda: stream.encode_chunk(window, 1, start_frame=start)


def candidates(chunk: np.ndarray, track: np.ndarray) -> dict[str, tuple[str, Callable]]:
    """Name -> (can it make gapless independent chunks, and why; encode the chunk)."""
    pcm16 = np.clip(np.rint(chunk * 32768), -32768, 32767).astype("<i2")
    resampler = Resampler(RATE, 48000)
    chunk48 = resampler.convert(chunk, 0, chunk.shape[0], 0, 480000)
    opus_cli = ["-c:a", "libopus", "-b:a", "128k", "-f", "ogg"]
    mp3_cli = ["-c:a", "libmp3lame", "-b:a", "192k", "-compression_level", str(QUALITY),
               "-reservoir", "0", "-f", "mp3"]  # fmt: skip
    files = "file-level only (one process per chunk)"
    q = f"q{QUALITY}"
    rows = [
        ("opus: libsndfile (soundfile), 48 kHz input", "no: whole files, no packets",
         lambda: libsndfile(chunk48, 48000, "OGG", "OPUS", 0.77)),
        (f"opus: PyAV libopus, 48 kHz input, complexity {COMPLEXITY}",
         "yes: raw packets, pre-skip reported", lambda: b"".join(encode_packets(chunk48, 128))),
        ("opus: ffmpeg subprocess (anchor), resamples itself", files,
         lambda: ffmpeg(pcm16, *opus_cli)),
        ("opus: masterstream chunk (resample + pre-roll + PyAV + Ogg)", "yes (chosen)",
         chunk_path("opus", track, 128)),
        ("resample 44.1 -> 48 kHz alone (Kaiser FIR, scipy)", "-",
         lambda: resampler.convert(chunk, 0, chunk.shape[0], 0, 480000)),
        ("mp3: libsndfile (soundfile)", "no: no reservoir switch, no delay/padding access",
         lambda: libsndfile(chunk, RATE, "MP3", "MPEG_LAYER_III", 0.4, "CONSTANT")),
        (f"mp3: lameenc Python API, {q}", "no: bit reservoir cannot be switched off",
         lambda: lameenc_api(pcm16)),
        (f"mp3: LAME C API from the lameenc wheel (ctypes), {q}, no reservoir",
         "yes: reservoir off, delay known",
         lambda: LameEncoder(RATE, 2, 192, QUALITY).encode(chunk)),
        (f"mp3: PyAV libmp3lame, {q}, no reservoir", "yes: reservoir off",
         lambda: pyav_mp3(chunk)),
        (f"mp3: ffmpeg subprocess (anchor), {q}, no reservoir", files,
         lambda: ffmpeg(pcm16, *mp3_cli)),
        ("mp3: masterstream chunk (pre-roll + LAME + frame split)", "yes (chosen)",
         chunk_path("mp3", track, 192)),
    ]  # fmt: skip
    return {name: (why, fn) for name, why, fn in rows}


def measure(fns: dict[str, tuple[str, Callable]], rounds: int) -> dict[str, dict]:
    samples: dict[str, list[tuple[float, float, int]]] = {name: [] for name in fns}
    for _, fn in fns.values():
        fn()  # warm-up: imports, JIT, encoder tables
    for _ in range(rounds):
        for name, (_, fn) in fns.items():
            cpu0, wall0 = cpu_s(), time.perf_counter()
            out = fn()
            size = len(out) if isinstance(out, bytes) else None
            samples[name].append((cpu_s() - cpu0, time.perf_counter() - wall0, size))
    return {
        name: {
            "gapless_chunks": fns[name][0],
            "cpu_ms": 1000 * statistics.median(s[0] for s in runs),
            "wall_ms": 1000 * statistics.median(s[1] for s in runs),
            "kbps": None if runs[0][2] is None else runs[0][2] * 8 / CHUNK_S / 1000,
        }
        for name, runs in samples.items()
    }


def packaging() -> list[dict]:
    """What pip installed for each candidate: version, licence, size on disk, codecs inside."""
    from importlib import metadata

    rows = []
    for name in ("soundfile", "av", "lameenc"):
        dist = metadata.distribution(name)
        files = [f for f in dist.files or [] if f.locate().exists()]
        size = sum(f.locate().stat().st_size for f in files)
        names = " ".join(str(f) for f in files)
        bundled = [lib for lib in ("libopus", "libmp3lame", "libsndfile") if lib in names]
        if name == "lameenc":  # LAME is linked into the extension module, API exported
            bundled = [f"LAME {lame_version()} (C API exported)"]
        licence = dist.metadata.get("License-Expression") or dist.metadata.get("License") or "?"
        rows.append({"package": name, "version": dist.version, "licence": licence,
                     "installed_mb": round(size / 1e6, 1), "bundles": bundled})  # fmt: skip
    return rows


def bytes_per_minute(track: np.ndarray) -> list[dict]:
    rows = []
    for fmt, spec in LOSSY_FORMATS.items():
        for bitrate in spec.bitrates_kbps:
            size = len(chunk_path(fmt, track, bitrate)())
            rows.append({"format": fmt, "bitrate_kbps": bitrate,
                         "bytes_per_minute": round(size * 60 / CHUNK_S)})  # fmt: skip
    return rows


def blocks_of(audio: np.ndarray) -> Callable[[], Iterator[np.ndarray]]:
    return lambda: (audio[i : i + 65536] for i in range(0, audio.shape[0], 65536))


def peaks(tmp: Path) -> list[dict]:
    """Loudness change and true peak after decoding (ffmpeg ebur128), for loud material
    mastered with ``bright``: as mastered today, and limited ``peak_headroom_db`` lower
    with the gain recalibrated (the change the lossy path asks of mastering)."""
    from dataclasses import replace

    from tests.audio.lossy_checks import ebur128, encode_stream

    from masterstream.mastering import compute_fingerprint, plan_mastering, render_track
    from masterstream.mastering.calibration import calibrate

    rows = []
    for kind in ("music", "thin", "bass_heavy", "crushed"):
        audio = np.array(make_track(kind, RATE, 20.0, 2))
        fingerprint = compute_fingerprint(audio, RATE)
        plan = plan_mastering("bright", fingerprint, audio, RATE)
        master = render_track(audio, RATE, plan, 1.0)
        sf.write(tmp / "pcm.wav", master, RATE, subtype="FLOAT")
        pcm_lufs, pcm_dbtp = ebur128(tmp / "pcm.wav")
        for fmt, spec in LOSSY_FORMATS.items():
            for kbps in (spec.bitrates_kbps[0], spec.default_bitrate_kbps, spec.bitrates_kbps[-1]):
                headroom = spec.peak_headroom_db(kbps)
                ceiling = plan.limiter.ceiling_dbtp - headroom
                lowered = replace(plan, limiter=replace(plan.limiter, ceiling_dbtp=ceiling))
                gain_db, _ = calibrate(
                    lowered, blocks_of(audio), RATE, 2, fingerprint.integrated_lufs
                )
                lossy_master = render_track(audio, RATE, replace(lowered, gain_db=gain_db), 1.0)
                row = {"material": kind, "format": fmt, "kbps": kbps, "headroom_db": headroom,
                       "pcm_lufs": pcm_lufs, "pcm_dbtp": pcm_dbtp}  # fmt: skip
                for label, pcm in (("as_mastered", master), ("with_headroom", lossy_master)):
                    path = tmp / f"{label}.{fmt}"
                    path.write_bytes(encode_stream(fmt, pcm, RATE, kbps, CHUNK_S)[0])
                    lufs, dbtp = ebur128(path)
                    row[label] = {"delta_lu": lufs - pcm_lufs, "dbtp": dbtp}
                rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    track = np.array(make_track("music", RATE, 3 * CHUNK_S, 2))
    chunk = np.ascontiguousarray(track[round(CHUNK_S * RATE) : round(2 * CHUNK_S * RATE)])
    load_before = os.getloadavg()[0]
    speeds = measure(candidates(chunk, track), args.rounds)
    sizes = bytes_per_minute(track)
    packages = packaging()
    loads = (load_before, os.getloadavg()[0])
    with tempfile.TemporaryDirectory() as tmp:
        peak_rows = peaks(Path(tmp))
    lines = report(speeds, sizes, packages, args.rounds, loads) + report_peaks(peak_rows)
    print("\n".join(lines))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.with_suffix(".md").write_text("\n".join(lines) + "\n")
    data = {"speeds": speeds, "bytes_per_minute": sizes, "packages": packages,
            "peaks": peak_rows, "rounds": args.rounds, "loads": loads}  # fmt: skip
    RESULTS.with_suffix(".json").write_text(json.dumps(data, indent=2) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(REPO)}.md and .json")


def report(speeds: dict, sizes: list, packages: list, rounds: int, loads: tuple) -> list[str]:
    import av
    import lameenc  # noqa: F401  (its LAME is what lame_version() reports)

    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Opus and MP3 encoders",
        "",
        f"Reproduce: `{COMMAND}`. Measured {when}; PyAV {av.__version__} "
        f"(FFmpeg {av.ffmpeg_version_info}), LAME {lame_version()} (lameenc wheel), "
        f"libsndfile {sf.__libsndfile_version__}, one core, {rounds} rounds, candidates "
        f"interleaved. 1-minute load average {loads[0]:.1f} at the start and {loads[1]:.1f} "
        "at the end on 2 CPUs (a shared machine: wall times include waiting, CPU times less so).",
        "",
        f"One {CHUNK_S:.0f} s chunk of 44.1 kHz stereo music (synthesised), Opus 128 kbit/s, "
        "MP3 192 kbit/s CBR. *x real time per core* = 10 s / median CPU time (ours plus any "
        "subprocess). The masterstream rows encode a middle chunk of a 30 s track the way the "
        "server will: with pre-roll (and post-roll for MP3) around the 10 s it emits.",
        "",
        "| candidate | CPU ms | wall ms | x real time per core | kbit/s out | gapless chunks |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, row in speeds.items():
        kbps = "-" if row["kbps"] is None else f"{row['kbps']:.0f}"
        lines.append(
            f"| {name} | {row['cpu_ms']:.1f} | {row['wall_ms']:.1f} | "
            f"{CHUNK_S * 1000 / row['cpu_ms']:.0f} | {kbps} | {row['gapless_chunks']} |"
        )
    lines += [
        "",
        "Installed from this machine's PyPI mirror with pip (manylinux wheels, "
        "nothing to compile, no system library needed):",
        "",
        "| package | version | licence | installed MB | bundles |",
        "|---|---|---|---:|---|",
    ]
    for row in packages:
        lines.append(
            f"| {row['package']} | {row['version']} | {row['licence']} | "
            f"{row['installed_mb']} | {', '.join(row['bundles']) or '-'} |"
        )
    opus, mp3 = (
        next(v for k, v in speeds.items() if k.startswith(f"{f}: masterstream"))
        for f in ("opus", "mp3")
    )
    lines += [
        "",
        "## Choice",
        "",
        f"- **Opus: PyAV's libopus** ({CHUNK_S * 1000 / opus['cpu_ms']:.0f}x real time per core "
        "for a whole chunk, resampling and pre-roll included). It is the only in-process "
        "candidate that hands back packets (so chunks continue one Ogg stream) and lets us set "
        "the bitrate; libsndfile writes whole files at a compression level and is slower; "
        "ffmpeg pays a process per chunk.",
        f"- **MP3: LAME from the lameenc wheel through its C API** "
        f"({CHUNK_S * 1000 / mp3['cpu_ms']:.0f}x real time per core for a whole chunk). Gapless "
        "independent chunks need the bit reservoir off, which lameenc's Python class and "
        "libsndfile cannot do; PyAV's libmp3lame can, but its LAME build is about 3x slower.",
        "- Both install with pip alone. PyAV is BSD-3-Clause and its FFmpeg is built "
        "LGPL-3.0-or-later (`av.library_meta` reports the licence); the same wheel also "
        "carries GPL video encoders (x264, x265) that masterstream never loads. lameenc and "
        "LAME are LGPL. A system libmp3lame is used if the lameenc wheel ever stops exporting "
        "LAME's API.",
        "",
        "Bytes per minute of music (the chosen path; MP3 CBR is exact, Opus is VBR):",
        "",
        "| format | kbit/s | bytes per minute | MB per hour |",
        "|---|---:|---:|---:|",
    ]
    for row in sizes:
        lines.append(
            f"| {row['format']} | {row['bitrate_kbps']} | {row['bytes_per_minute']:,} | "
            f"{row['bytes_per_minute'] * 60 / 1e6:.1f} |"
        )
    return lines


def report_peaks(rows: list[dict]) -> list[str]:
    lines = ["", "## Loudness and true peak after decoding", "",
             "20 s of loud material mastered with `bright` (-14 LUFS, limiter at -1.3 dBTP), "
             "encoded in 10 s chunks, decoded and metered by ffmpeg's ebur128 (true peak); "
             "LU change against the PCM master. *With headroom*: limiter ceiling lowered by the "
             "format's `peak_headroom_db` and the loudness gain recalibrated.", "",
             "| material | format kbit/s | PCM dBTP | as mastered: LU, dBTP | headroom dB | "
             "with headroom: LU, dBTP |", "|---|---|---:|---|---:|---|"]  # fmt: skip
    for r in rows:
        plain, low = r["as_mastered"], r["with_headroom"]
        lines.append(f"| {r['material']} | {r['format']} {r['kbps']} | {r['pcm_dbtp']:.2f} | "
                     f"{plain['delta_lu']:+.2f}, {plain['dbtp']:.2f} | {r['headroom_db']:.1f} | "
                     f"{low['delta_lu']:+.2f}, {low['dbtp']:.2f} |")  # fmt: skip
    return lines


if __name__ == "__main__":
    main()
