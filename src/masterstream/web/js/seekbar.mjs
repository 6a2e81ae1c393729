/**
 * The seek bar's chunk strip: one cell per chunk of the playing track, coloured by where
 * it came from or stands (colours.mjs), from the player's fetches and the cache's
 * per-chunk info; refreshed when the track, the variant or the cache changes.
 */

import { serverUrl, variantQuery } from "./api.mjs";
import { CHUNK_STATES, STATE_LABELS, chunkStates, runs, stateCounts } from "./colours.mjs";
import { $, h, mount, svg } from "./dom.mjs";

const INFO_CONCURRENCY = 4;
const REFRESH_MIN_MS = 2500;

export class SeekBar {
  constructor({ player, feed }) {
    this.player = player;
    this.cached = new Map(); // chunk -> tier1 | tier2 | miss, for `this.subject`
    this.subject = null;
    this.lastRefresh = 0;
    this.refreshTimer = null;
    for (const type of ["trackchange", "variant"]) player.addEventListener(type, () => this.refresh(true));
    player.addEventListener("chunks", (event) => {
      if (event.detail.trackId === null || event.detail.trackId === player.currentTrack?.id) this.render();
    });
    feed.addEventListener("track_cache_progress", (event) => {
      if (event.detail.data?.track_id === player.currentTrack?.id) this.refresh(false);
    });
    feed.addEventListener("cache_cleared", () => this.refresh(true));
    this.render();
  }

  /** Ask the cache what it holds for the current track and variant (throttled). */
  refresh(force) {
    const track = this.player.currentTrack;
    if (!track) return;
    const { variant, format } = this.player;
    const subject = `${track.id}|${variant.preset}|${variant.intensity}|${format.name}`;
    if (subject !== this.subject) {
      this.subject = subject;
      this.cached = new Map();
      force = true;
    }
    const wait = this.lastRefresh + REFRESH_MIN_MS - Date.now();
    if (!force && wait > 0) {
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => this.refresh(true), wait);
      return;
    }
    this.lastRefresh = Date.now();
    this.load(track, variantQuery(variant, format.name), subject);
    this.render();
  }

  async load(track, params, subject) {
    const indices = [...Array(track.chunk_count).keys()];
    const worker = async () => {
      while (indices.length > 0 && subject === this.subject) {
        const k = indices.shift();
        try {
          const response = await fetch(serverUrl(`/api/tracks/${track.id}/chunks/${k}/info?${params}`));
          if (!response.ok) continue;
          const body = await response.json();
          if (subject === this.subject) this.cached.set(k, body.cache_source ?? body.data?.source);
        } catch {
          return; // offline: the strip shows what the player knows
        }
      }
    };
    await Promise.all(Array.from({ length: INFO_CONCURRENCY }, worker));
    if (subject === this.subject) this.render();
  }

  states() {
    const track = this.player.currentTrack;
    if (!track) return [];
    const { served, pending } = this.player.loader.sources(track.id);
    return chunkStates(track.chunk_count, { served, cached: this.cached, pending });
  }

  render() {
    const strip = $("seek-chunks");
    const states = this.states();
    const count = Math.max(states.length, 1);
    strip.setAttribute("viewBox", `0 0 ${count} 1`);
    strip.dataset.states = states.join(",");
    const cells = runs(states).map((run) =>
      svg("rect", { x: run.from, y: 0, width: run.to - run.from, height: 1, class: run.state }),
    );
    const separators = states.slice(1).map((_, i) => svg("line", { x1: i + 1, x2: i + 1, y1: 0, y2: 1 }));
    mount(strip, cells, separators);
    const counts = stateCounts(states);
    mount(
      $("legend"),
      CHUNK_STATES.map((state) =>
        h("li", {}, h("span", { class: `swatch ${state}` }), `${STATE_LABELS[state]}: ${counts[state]}`),
      ),
    );
  }
}
