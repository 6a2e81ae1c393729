import assert from "node:assert/strict";
import { test } from "node:test";

import { ticks, yRange } from "../../../src/masterstream/web/js/charts.mjs";
import { formatDb, formatLevel, formatMs, formatTime } from "../../../src/masterstream/web/js/format.mjs";
import { compressorCurve } from "../../../src/masterstream/web/js/mastering-panel.mjs";

test("ticks are round and cover the range", () => {
  assert.deepEqual(ticks(0, 100, 4), [0, 25, 50, 75, 100]);
  assert.deepEqual(ticks(-3, 3, 4), [-2, 0, 2]); // steps of 1, 2, 2.5 or 5 times a power of ten
  assert.deepEqual(ticks(5, 5), [5]);
});

test("y ranges never collapse and keep a floor", () => {
  assert.deepEqual(yRange([], { minSpan: 1 }), { min: 0, max: 1.08 });
  const range = yRange([2, 2], { floor: 0, minSpan: 10 });
  assert.equal(range.min, 0);
  assert.ok(range.max >= 10);
});

test("the compressor curve: unity below the knee, 1/ratio above, continuous through it", () => {
  const c = { threshold_dbfs: -20, ratio: 4, knee_db: 6 };
  assert.equal(compressorCurve(-40, c), -40);
  assert.equal(compressorCurve(0, c), -15);
  const below = compressorCurve(-23, c);
  const above = compressorCurve(-17, c);
  assert.ok(Math.abs(below - -23) < 1e-9 && Math.abs(above - (-20 + 3 / 4)) < 1e-9);
  assert.ok(compressorCurve(-20, c) < -20);
  assert.equal(compressorCurve(-10, { threshold_dbfs: -20, ratio: 2, knee_db: 0 }), -15);
});

test("formats", () => {
  assert.equal(formatTime(75.9), "1:15");
  assert.equal(formatTime(3725), "1:02:05");
  assert.equal(formatDb(2.345), "+2.3 dB");
  assert.equal(formatDb(-7.77), "−7.8 dB");
  assert.equal(formatDb(null), "—");
  assert.equal(formatLevel(-14, "LUFS"), "−14.0 LUFS");
  assert.equal(formatMs(0.034), "0.03 ms");
  assert.equal(formatMs(250.4), "250 ms");
});
