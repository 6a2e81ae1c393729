import assert from "node:assert/strict";
import { test } from "node:test";

import {
  CHUNK_STATES,
  STATE_LABELS,
  chunkStates,
  responseSource,
  runs,
  stateCounts,
} from "../../../src/masterstream/web/js/colours.mjs";

test("fetching beats served beats cached beats uncached", () => {
  const served = new Map([[0, "tier1"], [1, "tier2"], [2, "miss"], [3, "tier1"]]);
  const cached = new Map([[3, "miss"], [4, "tier2"], [5, "tier1"], [6, "miss"]]);
  const pending = new Set([3, 7]);
  assert.deepEqual(chunkStates(9, { served, cached, pending }), [
    "tier1", "tier2", "miss", "rendering", "cached", "cached", "uncached", "rendering", "uncached",
  ]);
  assert.deepEqual(chunkStates(2, {}), ["uncached", "uncached"]);
});

test("runs merge neighbours and cover every chunk once", () => {
  const states = ["tier1", "tier1", "miss", "cached", "cached", "cached"];
  assert.deepEqual(runs(states), [
    { state: "tier1", from: 0, to: 2 },
    { state: "miss", from: 2, to: 3 },
    { state: "cached", from: 3, to: 6 },
  ]);
  assert.deepEqual(runs([]), []);
});

test("every state has a label and is counted", () => {
  for (const state of CHUNK_STATES) assert.ok(STATE_LABELS[state]);
  const counts = stateCounts(["tier1", "miss", "miss"]);
  assert.equal(counts.miss, 2);
  assert.equal(counts.uncached, 0);
});

test("X-Cache-Source is read case-insensitively; anything else is a miss", () => {
  assert.equal(responseSource(" Tier2 "), "tier2");
  assert.equal(responseSource(null), "miss");
  assert.equal(responseSource("shared"), "miss");
});
