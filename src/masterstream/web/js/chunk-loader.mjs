/**
 * Fetching and decoding chunks for the player, remembering where each came from (the
 * response's X-Cache-Source) and which are in flight, for the seek bar; what each format
 * costs (bytes per second heard, for the data-use note); and the mastering
 * view of a (track, variant), fetched once, for the level match and the Mastering panel.
 */

import { ApiError, chunkUrl, errorOf, formatKey, getJSON, serverUrl, variantQuery } from "./api.mjs";
import { responseSource } from "./colours.mjs";
import { recordUse } from "./data-use.mjs";

const RETRY_STATUSES = new Set([429, 503]);
const RETRIES = 2;
const MAX_RETRY_WAIT_S = 5;

/** fetch, waiting and retrying (twice at most) when the server says to come back later. */
export async function fetchPatiently(url, signal) {
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetch(url, { signal });
    if (!RETRY_STATUSES.has(response.status) || attempt >= RETRIES) return response;
    const asked = Number(response.headers.get("Retry-After"));
    const waitS = Math.min(MAX_RETRY_WAIT_S, Number.isFinite(asked) && asked > 0 ? asked : 0.5 * (attempt + 1));
    await new Promise((resolve) => setTimeout(resolve, waitS * 1000));
    if (signal.aborted) throw new DOMException("aborted", "AbortError");
  }
}

export function variantKey(variant, format) {
  const intensity = variant.preset === "original" ? 1 : Number(variant.intensity);
  return `${variant.preset}|${intensity.toFixed(2)}|${formatKey(format)}`;
}

export class ChunkLoader {
  constructor(player) {
    this.player = player;
    this.controller = new AbortController();
    this.served = new Map(); // "trackId|variantKey" -> Map(chunk -> source)
    this.pending = new Map(); // "trackId|variantKey" -> Set(chunk)
    this.views = new Map(); // "trackId|preset|intensity" -> Promise(view)
    this.fetched = 0;
    this.bytes = 0;
    this.usage = new Map(); // formatKey -> {bytes, seconds, pcmBytes}
  }

  /** Cancel every fetch in flight (a seek, a new queue). */
  abort() {
    this.controller.abort();
    this.controller = new AbortController();
    this.pending.clear();
    this.changed();
  }

  changed(trackId = null) {
    this.player.emit("chunks", { trackId });
  }

  entry(map, key, make) {
    if (!map.has(key)) map.set(key, make());
    return map.get(key);
  }

  /** What the seek bar shows for `trackId` in the player's current variant and format. */
  sources(trackId, variant = this.player.variant) {
    const key = `${trackId}|${variantKey(variant, this.player.format)}`;
    return { served: this.served.get(key) ?? new Map(), pending: this.pending.get(key) ?? new Set() };
  }

  /** Chunk `chunk` of `track` in `variant`, decoded: {buffer, source, bytes}. */
  async chunk(track, chunk, variant) {
    const format = this.player.format;
    const key = `${track.id}|${variantKey(variant, format)}`;
    const pending = this.entry(this.pending, key, () => new Set());
    const { signal } = this.controller;
    pending.add(chunk);
    this.changed(track.id);
    try {
      const response = await fetchPatiently(chunkUrl(track, chunk, variant, format), signal);
      if (!response.ok) throw await errorOf(response);
      const source = responseSource(response.headers.get("X-Cache-Source"));
      const bytes = await response.arrayBuffer();
      const size = bytes.byteLength; // decodeAudioData detaches (empties) the buffer
      let buffer;
      try {
        buffer = await this.player.graph.decode(bytes);
      } catch (error) {
        throw new ApiError(0, {
          title: "Undecodable chunk",
          detail: `chunk ${chunk} of "${track.title}" (${format.name}) could not be decoded: ${error.message}`,
        });
      }
      this.entry(this.served, key, () => new Map()).set(chunk, source);
      this.fetched += 1;
      this.bytes += size;
      recordUse(this.usage, formatKey(format), { bytes: size, seconds: buffer.duration, track });
      this.player.emit("usage", { format });
      return { buffer, source, bytes: size };
    } finally {
      pending.delete(chunk);
      this.changed(track.id);
    }
  }

  /** The mastering view of `track` under `variant` (null for a track without one). */
  mastering(track, variant) {
    const intensity = variant.preset === "original" ? 1 : Number(variant.intensity);
    const key = `${track.id}|${variant.preset}|${intensity.toFixed(2)}`;
    if (!this.views.has(key)) {
      const params = variantQuery({ preset: variant.preset, intensity });
      const view = getJSON(serverUrl(`/api/tracks/${track.id}/mastering?${params}`)).then(
        (answer) => {
          // not analysed or not measured yet: ask again later
          if (answer.fingerprint === null || answer.measuring) this.views.delete(key);
          return answer;
        },
        (error) => {
          this.views.delete(key);
          throw error;
        },
      );
      this.views.set(key, view);
    }
    return this.views.get(key);
  }
}
