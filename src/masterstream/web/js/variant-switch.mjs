/**
 * Live preset/intensity changes and the original for compare, on segments already
 * scheduled. The unfinished segments are re-fetched nearest first; each new buffer takes
 * its segment's place at the segment's own start frame when it has not started, or from a
 * frame just ahead with a short crossfade when it is playing (schedule.switchPlan), so the
 * change lands at the next chunk boundary at the latest, with no gap.
 */

import { variantKey } from "./chunk-loader.mjs";
import { switchPlan } from "./schedule.mjs";

export class VariantSwitcher {
  constructor(player) {
    this.player = player;
    this.round = 0;
  }

  /** Bring every unfinished segment to `variant` (a newer call supersedes this one). */
  async switchTo(variant) {
    const player = this.player;
    if (!player.graph || player.timeline.empty) return;
    const round = ++this.round;
    const generation = player.generation;
    const wanted = variantKey(variant, player.format);
    const stale = () => round !== this.round || generation !== player.generation;
    for (const segment of player.timeline.unfinished(player.graph.nowFrame)) {
      if (stale()) return;
      if (segment.variantKey === wanted) continue;
      const track = player.tracks.get(segment.trackId);
      let fetched;
      let gain = null;
      try {
        [fetched, gain] = await Promise.all([
          player.loader.chunk(track, segment.chunk, variant),
          segment.original ? player.originalGain(track, variant) : null,
        ]);
      } catch (error) {
        if (!stale() && error.name !== "AbortError") {
          player.emit("failure", { track, chunk: segment.chunk, error, kept: true });
        }
        return;
      }
      if (stale() || !player.timeline.segments.includes(segment)) return;
      this.swap(segment, fetched, variant, gain);
    }
  }

  swap(segment, fetched, variant, originalGain) {
    const player = this.player;
    const graph = player.graph;
    const plan = switchPlan(segment, graph.nowFrame, graph.rate);
    if (plan.mode === "keep") return;
    const previous = segment.mastered;
    if (plan.mode === "replace") {
      graph.stop(previous);
      segment.mastered = graph.start(fetched.buffer, "mastered", plan.atFrame, plan.offsetFrames, segment.frames);
    } else {
      const remaining = segment.endFrame - plan.atFrame;
      segment.mastered = graph.start(fetched.buffer, "mastered", plan.atFrame, plan.offsetFrames, remaining, 0);
      graph.crossfade(previous, segment.mastered, plan.atFrame, plan.fadeFrames);
    }
    if (originalGain !== null) graph.setGainAt(segment.original, originalGain, plan.atFrame);
    segment.variant = variant;
    segment.variantKey = variantKey(variant, player.format);
    segment.source = fetched.source;
    player.record(plan.mode, segment, { atFrame: plan.atFrame });
  }

  /** Compare was used for the first time: fetch the originals of the unfinished segments. */
  async armOriginals() {
    const player = this.player;
    if (!player.graph) return;
    const generation = player.generation;
    for (const segment of player.timeline.unfinished(player.graph.nowFrame)) {
      if (generation !== player.generation) return;
      if (segment.original || segment.variant.preset === "original") continue;
      const track = player.tracks.get(segment.trackId);
      let fetched;
      let gain;
      try {
        [fetched, gain] = await Promise.all([
          player.loader.chunk(track, segment.chunk, { preset: "original", intensity: 1 }),
          player.originalGain(track, segment.variant),
        ]);
      } catch (error) {
        if (error.name !== "AbortError") player.emit("failure", { track, chunk: segment.chunk, error, kept: true });
        return;
      }
      if (generation !== player.generation || !player.timeline.segments.includes(segment)) return;
      const graph = player.graph;
      const atFrame = Math.max(segment.startFrame, graph.nowFrame + Math.ceil(0.05 * graph.rate));
      if (atFrame >= segment.endFrame) continue;
      const offset = segment.offsetFrames + (atFrame - segment.startFrame);
      segment.original = graph.start(fetched.buffer, "original", atFrame, offset, segment.endFrame - atFrame, gain);
      player.applyCompare();
    }
  }
}
