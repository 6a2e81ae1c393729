"""Gapless in the audio itself, not only in the schedule: Chromium decodes the server's FLAC
chunks of two tracks, the app's own schedule and audio-graph modules lay them end to end in
an OfflineAudioContext (starting mid-chunk, as after a seek, and running on into the next
track), and the rendered samples must equal the source files read by soundfile."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from .offline_render import RENDER_PARTS, left_channel

pytestmark = pytest.mark.timeout(120)

RENDER = """async ([tracks, startS]) => {
  const base = document.querySelector("script[type=module]").src.replace(/main\\.mjs$/, "");
  const schedule = await import(base + "schedule.mjs");
  const { AudioGraph } = await import(base + "audio-graph.mjs");
  const rate = tracks[0].sample_rate;
  const decoder = new OfflineAudioContext(2, 1, rate);
  const timeline = new schedule.Timeline();
  timeline.anchor(0);
  const parts = [];
  for (const [i, track] of tracks.entries()) {
    const head = { chunk: 0, offsetFrames: 0 };
    const first = i === 0 ? schedule.seekTarget(track, startS, rate) : head;
    for (let k = first.chunk; k < track.chunk_count; k += 1) {
      const query = `preset=original&format=flac&v=${track.version}`;
      const response = await fetch(`/api/tracks/${track.id}/chunks/${k}?${query}`);
      const buffer = await decoder.decodeAudioData(await response.arrayBuffer());
      const offsetFrames = k === first.chunk ? first.offsetFrames : 0;
      const expectedFrames = schedule.chunkFrameCount(track, k, rate);
      const frames = schedule.segmentFrames({
        decodedFrames: buffer.length, expectedFrames, lossless: true, offsetFrames });
      parts.push({ buffer, segment: timeline.append({ frames, offsetFrames }) });
    }
  }
  const rendered = await (RENDER_PARTS)(AudioGraph, rate, timeline, parts);
  return { ...rendered, gaps: timeline.gaps };
}""".replace("RENDER_PARTS", RENDER_PARTS)


def test_decoded_chunks_laid_end_to_end_are_the_source_samples(app, library_dir):
    tracks = app.page.evaluate(
        """(titles) => titles.map((t) => [...window.masterstream.player.tracks.values()]
            .find((x) => x.title === t))""",
        ["Beta", "Gamma"],
    )
    start_s = 1.337  # mid-chunk, as after a seek
    result = app.page.evaluate(RENDER, [tracks, start_s])
    rendered = left_channel(result)
    sources = [
        sf.read(next(library_dir.rglob(f"*{t['title']}.wav")), dtype="float32")[0][:, 0]
        for t in tracks
    ]
    rate = tracks[0]["sample_rate"]
    expected = np.concatenate([sources[0][round(start_s * rate) :], sources[1]])
    assert result["gaps"] == 0
    assert result["frames"] == expected.size
    # The same 16-bit samples, frame for frame (Chromium's FLAC decoder scales by 1/32767,
    # soundfile by 1/32768).
    np.testing.assert_array_equal(np.round(rendered * 32767), np.round(expected * 32768))
