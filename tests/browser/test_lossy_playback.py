"""Opus and MP3 in the browser player, gapless: Chromium decodes the server's standalone
chunks one by one (decodeAudioData trims each by the encoder delay and padding its file
declares), the app's own modules lay them end to end in an OfflineAudioContext across two
chunk boundaries and a track boundary, and the rendered samples must match ffmpeg's
decode of the continuous stream: same length, no shift at any boundary (cross-correlation),
no click (the difference signal's high-passed peak at the boundary). Then the real player
plays Opus chosen in Settings, at 48 kHz, its segments abutting, and shows its data use;
switched from FLAC mid-play, it rebuilds its audio context at 48 kHz and plays on."""

from __future__ import annotations

import itertools
import re

import httpx
import numpy as np
import pytest

from tests.audio.lossy_checks import best_lag, click_db, ffmpeg_decode, needs_ffmpeg, rms_db

from .conftest import CHUNK_S, TRACKS
from .offline_render import RENDER_PARTS, left_channel
from .pages import assert_abut

pytestmark = [pytest.mark.timeout(180), needs_ffmpeg]
TITLES = ["Beta", "Gamma"]  # 4.2 s and 6 s in 2 s chunks: 3 chunks each

RENDER = """async ([titles, key]) => {
  const base = document.querySelector("script[type=module]").src.replace(/main\\.mjs$/, "");
  const schedule = await import(base + "schedule.mjs");
  const api = await import(base + "api.mjs");
  const { AudioGraph } = await import(base + "audio-graph.mjs");
  const format = (await api.loadFormats()).find((f) => api.formatKey(f) === key);
  const all = [...window.masterstream.player.tracks.values()];
  const tracks = titles.map((t) => all.find((x) => x.title === t));
  const rate = schedule.decodedRate(format, tracks[0].sample_rate);
  const decoder = new OfflineAudioContext(2, 1, rate);
  const timeline = new schedule.Timeline();
  timeline.anchor(0);
  const parts = [];
  const decoded = [];
  for (const track of tracks) {
    for (let k = 0; k < track.chunk_count; k += 1) {
      const url = api.chunkUrl(track, k, { preset: "original", intensity: 1 }, format);
      const buffer = await decoder.decodeAudioData(await (await fetch(url)).arrayBuffer());
      const expectedFrames = schedule.chunkFrameCount(track, k, rate);
      decoded.push({ url, decodedFrames: buffer.length, expectedFrames });
      const frames = schedule.segmentFrames({
        decodedFrames: buffer.length, expectedFrames, lossless: format.lossless });
      parts.push({ buffer, segment: timeline.append({ frames }) });
    }
  }
  const rendered = await (RENDER_PARTS)(AudioGraph, rate, timeline, parts);
  return { ...rendered, decoded, starts: parts.map((p) => p.segment.startFrame),
           gaps: timeline.gaps };
}""".replace("RENDER_PARTS", RENDER_PARTS)


@pytest.mark.parametrize(
    ("key", "fmt", "bitrate", "rate"), [("opus@128", "opus", 128, 48000),
                                        ("mp3@192", "mp3", 192, 44100)],
)  # fmt: skip
def test_lossy_chunks_decoded_by_chromium_join_without_gap_or_click(
    app, server, tmp_path, key, fmt, bitrate, rate
):
    result = app.page.evaluate(RENDER, [TITLES, key])
    assert result["rate"] == rate and result["gaps"] == 0
    assert all("standalone=true" in d["url"] for d in result["decoded"])
    # Chromium honours the delay and padding the files declare: nothing left to cut
    assert all(d["decodedFrames"] == d["expectedFrames"] for d in result["decoded"]), result
    rendered = left_channel(result)

    references = []
    for title in TITLES:
        track_id = app.track_id(title)
        stream = httpx.get(
            f"{server.base_url}/api/tracks/{track_id}/stream",
            params={"preset": "original", "format": fmt, "bitrate": str(bitrate)},
            timeout=60,
        )
        assert stream.status_code == 200, stream.text
        path = tmp_path / f"{title}.{fmt}"
        references.append(ffmpeg_decode(stream.content, path, 2)[0][:, 0])
    reference = np.concatenate(references)
    assert rendered.shape == reference.shape

    half = round(0.02 * rate)
    signal_db = rms_db(reference)
    boundaries = result["starts"][1:]
    assert len(boundaries) == 5  # two chunk boundaries in each track, one between them
    for at in boundaries:
        window = slice(at - half, at + half)
        # lags within ±40 samples: the tones' periods are over 80 samples at 48 kHz
        assert best_lag(reference[window], rendered[window]) == 0, f"shifted at frame {at}"
        assert rms_db(rendered[window] - reference[window]) < signal_db - 40.0, at
        assert click_db(rendered - reference, at, rate) < signal_db - 40.0, at


def test_the_player_plays_opus_chosen_in_settings_gaplessly(app, server):
    app.page.get_by_role("link", name="Settings").click()
    app.page.get_by_label("Chunk format").select_option(label="OPUS 96 kbit/s")
    app.play_track("Beta")
    beta, gamma = app.track_id("Beta"), app.track_id("Gamma")
    app.wait_log(f"(e) => e.kind === 'append' && e.trackId === {gamma}", 1)
    assert app.page.evaluate("() => window.masterstream.player.graph.rate") == 48000
    app.wait_position(0.5)
    app.wait_for("() => window.masterstream.player.cursor === null")  # the queue is fetched
    entries = [e for e in app.log() if e["kind"] == "append"]
    assert [(e["trackId"], e["chunk"]) for e in entries] == [
        (beta, 0), (beta, 1), (beta, 2), (gamma, 0), (gamma, 1), (gamma, 2)
    ]  # fmt: skip
    assert_abut(entries)
    assert all(e["rate"] == 48000 for e in entries)
    assert [e["frames"] for e in entries] == [96000, 96000, 9600, 96000, 96000, 96000]
    for previous, entry in itertools.pairwise(entries):
        assert entry["when"] == pytest.approx(previous["when"] + previous["frames"] / 48000)
    urls = [u for u in app.requests if re.search("/api/tracks/[0-9]+/chunks/[0-9]+[?]", u)]
    assert len(urls) == 6 and all("format=opus&bitrate=96&standalone=true" in u for u in urls)

    # Settings shows what those chunks cost: the bytes the server sent per minute heard
    sent = sum(len(httpx.get(url.replace(app.base_url, server.base_url)).content) for url in urls)
    heard_s = TRACKS["Beta"][1] + TRACKS["Gamma"][1]
    text = app.page.locator("#data-use li[data-format='opus@96']").text_content()
    assert text.startswith(f"OPUS 96 kbit/s: {sent * 60 / heard_s / 1e6:.2f} MB per minute"), text
    assert f"{round(100 * (1 - sent / (heard_s * 44100 * 4)))} % less than 16-bit PCM" in text


def test_switching_to_a_format_at_another_rate_plays_on_from_the_same_place(app):
    app.play_track("Gamma")
    gamma = app.track_id("Gamma")
    rate = "() => window.masterstream.player.graph.rate"
    app.wait_position(1.0)
    assert app.page.evaluate(rate) == 44100  # FLAC: the track's own rate
    app.page.get_by_role("link", name="Settings").click()
    before = app.position()
    app.page.get_by_label("Chunk format").select_option(label="OPUS 128 kbit/s")
    app.wait_for("() => window.masterstream.player.graph?.rate === 48000")
    app.wait_log(f"(e) => e.kind === 'append' && e.trackId === {gamma} && e.rate === 48000")
    first = next(e for e in app.log() if e["kind"] == "append" and e["rate"] == 48000)
    resumed_s = first["chunk"] * CHUNK_S + first["offsetFrames"] / 48000
    assert before <= resumed_s < before + 1.0  # from where it was, not from the start
    assert app.wait_position(resumed_s + 0.5) > resumed_s
    opus = [r for r in app.chunk_requests() if r.fmt == "opus"]
    assert opus and min(r.chunk for r in opus) == int(before // CHUNK_S)
