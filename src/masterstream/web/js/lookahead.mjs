/**
 * Keeping the player's Timeline filled ahead of the playhead: fetch the next chunk of the
 * queue (mastered, and the original once compare has been used, with its level-match
 * gain), decode it and start it on the frame where the previous segment ends. A chunk
 * that fails is reported and the queue moves on to the next track.
 */

import { variantKey } from "./chunk-loader.mjs";
import { alignedStartFrame, chunkFrameCount, nextChunk, segmentFrames } from "./schedule.mjs";

const START_LEAD_S = 0.15;
const LATE_SAFETY_S = 0.05;
const AHEAD_S = 22;
export const ORIGINAL = { preset: "original", intensity: 1 };

export class Lookahead {
  constructor(player) {
    this.player = player;
    this.busy = false;
  }

  /** Fetch and schedule until AHEAD_S is buffered, the queue ends or playback stops. */
  async fill() {
    const player = this.player;
    if (this.busy) return;
    this.busy = true;
    try {
      while (player.cursor && player.graph && player.playing) {
        if (player.timeline.aheadFrames(player.graph.nowFrame) > AHEAD_S * player.rate) break;
        const cursor = player.cursor;
        const generation = player.generation;
        const appended = await this.append(cursor, generation);
        if (generation !== player.generation) continue;
        const tracks = player.queue.items.map((id) => player.tracks.get(id));
        const last = appended ? cursor : { queueIndex: cursor.queueIndex, chunk: Infinity };
        player.cursor = nextChunk(last, tracks);
        if (player.cursor) player.cursor.offsetFrames = 0;
      }
    } finally {
      this.busy = false;
    }
  }

  /** Fetch chunk `cursor` and schedule it; false when it could not be played. */
  async append(cursor, generation) {
    const player = this.player;
    const track = player.trackAt(cursor.queueIndex);
    const variant = player.variant;
    const withOriginal = player.compareArmed && variant.preset !== "original";
    let mastered;
    let original = null;
    let gain = 1;
    try {
      [mastered, original, gain] = await Promise.all([
        player.loader.chunk(track, cursor.chunk, variant),
        withOriginal ? player.loader.chunk(track, cursor.chunk, ORIGINAL) : null,
        withOriginal ? player.originalGain(track, variant) : 1,
      ]);
    } catch (error) {
      if (generation === player.generation && error.name !== "AbortError") {
        player.emit("failure", { track, chunk: cursor.chunk, error });
      }
      return false;
    }
    if (generation !== player.generation) return false;
    const { graph, timeline } = player;
    const rate = graph.rate;
    const frames = segmentFrames({
      decodedFrames: mastered.buffer.length,
      expectedFrames: chunkFrameCount(track, cursor.chunk, rate),
      lossless: player.format.lossless,
      offsetFrames: cursor.offsetFrames,
    });
    if (frames <= 0) return true;
    if (player.needsAnchor) {
      timeline.anchor(alignedStartFrame(graph.ctx.currentTime, rate, START_LEAD_S));
      player.needsAnchor = false;
    }
    const segment = timeline.append(
      {
        queueIndex: cursor.queueIndex, trackId: track.id, chunk: cursor.chunk, frames,
        offsetFrames: cursor.offsetFrames,
        trackFrame: cursor.chunk * Math.round(track.chunk_duration_s * rate) + cursor.offsetFrames,
        variant, variantKey: variantKey(variant, player.format), source: mastered.source,
      },
      graph.nowFrame + Math.ceil(LATE_SAFETY_S * rate),
    );
    const { startFrame, offsetFrames } = segment;
    segment.mastered = graph.start(mastered.buffer, "mastered", startFrame, offsetFrames, frames);
    if (original) {
      segment.original = graph.start(original.buffer, "original", startFrame, offsetFrames, frames, gain);
    }
    player.record("append", segment);
    if (player.compareArmed && !original && variant.preset !== "original") player.switcher.armOriginals();
    if (segment.variantKey !== variantKey(player.variant, player.format)) player.switcher.switchTo(player.variant);
    return true;
  }
}
