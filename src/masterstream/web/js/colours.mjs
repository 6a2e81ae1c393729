/**
 * Seek-bar colouring: the state of every chunk of the playing track, from what this player
 * fetched (each response's X-Cache-Source), what it is fetching now, and what the cache
 * says it holds (the chunk info endpoint).
 */

export const CHUNK_STATES = ["tier1", "tier2", "miss", "rendering", "cached", "uncached"];

export const STATE_LABELS = {
  tier1: "served from memory (tier1)",
  tier2: "served from disk (tier2)",
  miss: "rendered on request",
  rendering: "rendering now",
  cached: "cached, not fetched yet",
  uncached: "not cached",
};

const SERVED = new Set(["tier1", "tier2", "miss"]);

/**
 * One state per chunk. A chunk being fetched is `rendering`; one this player fetched shows
 * where it came from; otherwise the cache's answer: `cached` in either tier, or `uncached`.
 */
export function chunkStates(count, { served = new Map(), cached = new Map(), pending = new Set() }) {
  const states = [];
  for (let k = 0; k < count; k += 1) {
    if (pending.has(k)) states.push("rendering");
    else if (SERVED.has(served.get(k))) states.push(served.get(k));
    else if (cached.get(k) === "tier1" || cached.get(k) === "tier2") states.push("cached");
    else states.push("uncached");
  }
  return states;
}

/** Consecutive equal states merged: [{state, from, to}] with `to` exclusive. */
export function runs(states) {
  const out = [];
  states.forEach((state, k) => {
    const previous = out.at(-1);
    if (previous && previous.state === state) previous.to = k + 1;
    else out.push({ state, from: k, to: k + 1 });
  });
  return out;
}

/** How many chunks are in each state (for the legend). */
export function stateCounts(states) {
  const counts = Object.fromEntries(CHUNK_STATES.map((s) => [s, 0]));
  for (const state of states) counts[state] += 1;
  return counts;
}

/** The normalised X-Cache-Source of a response (`miss` when missing or unknown). */
export function responseSource(headerValue) {
  const value = String(headerValue ?? "").trim().toLowerCase();
  return SERVED.has(value) ? value : "miss";
}
