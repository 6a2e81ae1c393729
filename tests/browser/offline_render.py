"""Rendering what the player would schedule, offline, with the app's own AudioGraph: a
JavaScript function the browser tests' page scripts embed, and the samples it returns."""

from __future__ import annotations

import base64

import numpy as np

# (AudioGraph, rate, timeline, parts: [{buffer, segment}]) -> {left (base64 float32), frames,
# rate}:
# every part started on its segment's frames in an OfflineAudioContext, rendered.
RENDER_PARTS = """async (AudioGraph, rate, timeline, parts) => {
  const render = (options) => new OfflineAudioContext(2, timeline.endFrame, options.sampleRate);
  const graph = new AudioGraph(rate, render);
  for (const { buffer, segment } of parts) {
    graph.start(buffer, "mastered", segment.startFrame, segment.offsetFrames, segment.frames);
  }
  const rendered = await graph.ctx.startRendering();
  const bytes = new Uint8Array(new Float32Array(rendered.getChannelData(0)).buffer);
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return { left: btoa(text), frames: rendered.length, rate: rendered.sampleRate };
}"""


def left_channel(rendered: dict) -> np.ndarray:
    """The rendered left channel :data:`RENDER_PARTS` returned, as float32 samples."""
    return np.frombuffer(base64.b64decode(rendered["left"]), dtype=np.float32)
