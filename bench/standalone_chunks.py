"""Standalone Opus/MP3 chunks (``standalone=true``) for the browser player: what they cost
and whether Chromium's decodeAudioData trims them exactly.

One minute of synthesised 44.1 kHz stereo music in 10 s chunks (the server's default), at
every offered bitrate: bytes per minute as the track's continuous stream (header + chunk
segments, what ``/stream`` sends) and as standalone chunks (each with its own headers and
its encoder pre-roll kept and declared), against FLAC and 16-bit WAV of the same PCM. Then
Debian's Chromium (headless, via Playwright) decodes every chunk with decodeAudioData in a
context at the format's rate and at 44.1 kHz: the frames it returns against the chunk's
own, whether a continuation segment decodes at all, and the median decode time.
Writes bench/results/standalone_chunks.{md,json}.

    .venv/bin/python bench/standalone_chunks.py
"""

from __future__ import annotations

import base64
import io
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the test material synthesiser lives in tests/mastering

from tests.mastering.material import make_track  # noqa: E402

from masterstream.audio.chunks import ChunkGeometry  # noqa: E402
from masterstream.audio.lossy import LOSSY_FORMATS, lossy_stream  # noqa: E402

RATE, CHANNELS, TRACK_S, CHUNK_S = 44100, 2, 60.0, 10.0
RESULTS = REPO / "bench" / "results" / "standalone_chunks"
COMMAND = ".venv/bin/python bench/standalone_chunks.py"
CHROMIUM = "/usr/bin/chromium"
DECODE = """async ([b64, rate]) => {
  const bin = atob(b64); const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i += 1) bytes[i] = bin.charCodeAt(i);
  const ctx = new OfflineAudioContext(2, 1, rate);
  const t0 = performance.now();
  try {
    const buffer = await ctx.decodeAudioData(bytes.buffer);
    return { frames: buffer.length, ms: performance.now() - t0 };
  } catch (error) { return { error: String(error) }; }
}"""


def encode_all(fmt: str, bitrate: int, audio: np.ndarray) -> dict:
    geometry = ChunkGeometry(audio.shape[0], RATE, chunk_duration_s=CHUNK_S)
    stream = lossy_stream(fmt, geometry, CHANNELS, bitrate)
    segments, files, expected, encode_ms = [], [], [], []
    for k in range(geometry.chunk_count):
        start, stop = stream.input_span(k)
        for standalone, out in ((False, segments), (True, files)):
            began = time.thread_time()
            out.append(stream.encode_chunk(audio[start:stop], k, start_frame=start,
                                           standalone=standalone))  # fmt: skip
            if standalone:
                encode_ms.append((time.thread_time() - began) * 1000)
        first, last = (stream.resampler.out_index(f) for f in geometry.chunk_span(k))
        expected.append(last - first)
    return {"stream": stream, "segments": segments, "files": files, "expected": expected,
            "encode_ms": statistics.median(encode_ms)}  # fmt: skip


def per_minute(size_bytes: int) -> float:
    return size_bytes / (TRACK_S / 60) / 1e6


def chromium_decodes(cases: list[dict]) -> dict | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(CHROMIUM).exists():
        return None
    out = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox"])  # fmt: skip
        page = browser.new_page()
        page.goto("about:blank")
        out["user_agent"] = page.evaluate("navigator.userAgent")
        for case in cases:
            rate = case["stream"].output_sample_rate
            decode = lambda data, r: page.evaluate(DECODE, [base64.b64encode(data).decode(), r])  # noqa: E731
            native = [decode(f, rate) for f in case["files"]]
            at_44k = [decode(f, 44100) for f in case["files"]]
            segment = decode(case["segments"][1], rate)
            off = [n.get("frames", 0) - e for n, e in zip(native, case["expected"], strict=True)]
            case["chromium"] = {
                "exact": off.count(0),
                "frames_off": off,
                "at_44k_frames": sorted({d.get("frames") for d in at_44k}),
                "at_44k_expected": sorted({round(e * 44100 / rate) for e in case["expected"]}),
                "decode_ms": statistics.median(n["ms"] for n in native if "ms" in n),
                "segment_alone": segment.get("error", f"{segment.get('frames')} frames"),
            }  # fmt: skip
        browser.close()
    return out


def conclusion(records: list[dict]) -> str:
    """What the table says about the mechanism (from this run's numbers)."""
    if not all("exact" in r for r in records):
        return "Chromium was not measured in this run."
    exact = sum(r["exact"] for r in records)
    total = sum(r["chunks"] for r in records)
    return (
        f"Chromium's decodeAudioData returned exactly the chunk's frames for {exact} of "
        f"{total} standalone chunks: it honours the Ogg Opus pre-skip and end granule and the "
        "LAME tag's delay and padding, so the files' own declarations are the trim and no "
        "response header is needed. A continuation segment is no file: Opus fails to decode, "
        "MP3 decodes untrimmed (delay and padding left in)."
    )


def main() -> None:
    load_start = os.getloadavg()[0]
    started = datetime.now(UTC)
    audio = np.array(make_track("music", RATE, TRACK_S, CHANNELS), dtype=np.float32)
    pcm = np.clip(audio, -1, 1)
    flac = io.BytesIO()
    sf.write(flac, pcm, RATE, format="FLAC", subtype="PCM_16")
    wav_bytes = audio.shape[0] * CHANNELS * 2 + 44
    cases = []
    for fmt, spec in LOSSY_FORMATS.items():
        for bitrate in spec.bitrates_kbps:
            case = encode_all(fmt, bitrate, audio)
            case.update(fmt=fmt, bitrate=bitrate)
            cases.append(case)
    browser = chromium_decodes(cases)
    load_end = os.getloadavg()[0]

    rows, records = [], []
    for case in cases:
        continuous = len(case["stream"].header()) + sum(map(len, case["segments"]))
        standalone = sum(map(len, case["files"]))
        chrome = case.get("chromium", {})
        record = {
            "format": case["fmt"], "bitrate_kbps": case["bitrate"],
            "continuous_mb_per_min": per_minute(continuous),
            "standalone_mb_per_min": per_minute(standalone),
            "overhead_pct": 100 * (standalone / continuous - 1),
            "encode_ms_per_chunk": case["encode_ms"], "chunks": len(case["files"]), **chrome,
        }  # fmt: skip
        records.append(record)
        rows.append(
            f"| {case['fmt']} {case['bitrate']} | {record['continuous_mb_per_min']:.3f} | "
            f"{record['standalone_mb_per_min']:.3f} | {record['overhead_pct']:+.1f} % | "
            f"{100 * (1 - standalone / len(flac.getvalue())):.0f} % | "
            f"{record['encode_ms_per_chunk']:.0f} | "
            + (f"{chrome['exact']}/{record['chunks']} | {chrome['decode_ms']:.1f} | "
               f"{chrome['at_44k_frames']} vs {chrome['at_44k_expected']} | "
               f"{chrome['segment_alone'][:60]} |" if chrome else "- | - | - | - |")
        )  # fmt: skip
    lines = [
        "# Standalone Opus/MP3 chunks for the browser player",
        "",
        f"Reproduce: `{COMMAND}`. Measured {started:%Y-%m-%d %H:%M} UTC; 1-minute load "
        f"average {load_start:.1f} at the start and {load_end:.1f} at the end on "
        f"{os.cpu_count()} CPUs (a shared machine).",
        f"Browser: {browser['user_agent'] if browser else 'Chromium not available: not measured'}.",
        "",
        f"{TRACK_S:.0f} s of synthesised 44.1 kHz stereo music in {CHUNK_S:.0f} s chunks. "
        f"FLAC (16-bit) {per_minute(len(flac.getvalue())):.2f} MB/min, WAV "
        f"{per_minute(wav_bytes):.2f} MB/min. *continuous*: the track's one stream (header + "
        "chunk segments); *standalone*: every chunk a file of its own (headers, encoder "
        "pre-roll kept and declared as Ogg pre-skip / LAME encoder delay, end trimmed by the "
        "last granule / LAME padding). *exact*: chunks Chromium's decodeAudioData returned "
        "with exactly the chunk's frames, in a context at the format's rate. *at 44.1 kHz*: "
        "the frame counts it returns for an Opus chunk resampled to a 44.1 kHz context "
        "against the chunk's duration there (why the player runs its context at the format's "
        "rate). *segment alone*: decodeAudioData of a continuation chunk (chunk 1).",
        "",
        "| format kbit/s | continuous MB/min | standalone MB/min | standalone overhead | "
        "less than FLAC | encode ms/chunk | exact | decode ms/chunk | at 44.1 kHz | "
        "segment alone |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
        *rows,
        "",
        conclusion(records),
        "",
    ]  # fmt: skip
    RESULTS.with_suffix(".md").write_text("\n".join(lines))
    RESULTS.with_suffix(".json").write_text(json.dumps({
        "command": COMMAND, "started": started.isoformat(), "load": [load_start, load_end],
        "browser": browser and browser["user_agent"], "flac_mb_per_min":
        per_minute(len(flac.getvalue())), "rows": records}, indent=2))  # fmt: skip
    print("\n".join(lines))


if __name__ == "__main__":
    main()
