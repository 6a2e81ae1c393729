import assert from "node:assert/strict";
import { test } from "node:test";

import { TimeSeries, historyPoints, perSecond } from "../../../src/masterstream/web/js/series.mjs";

test("a series keeps only the last window and ignores out-of-order points", () => {
  const series = new TimeSeries(10_000);
  assert.ok(series.push(1000, 1));
  assert.ok(!series.push(1000, 2));
  assert.ok(!series.push(2000, Number.NaN));
  series.push(5000, 5);
  series.push(12_000, 12);
  assert.deepEqual(series.points.map((p) => p.t), [5000, 12_000]);
  assert.deepEqual(series.extent(), [5, 12]);
  assert.equal(series.last().v, 12);
});

test("seeding puts older history under the live points, sorted and deduplicated", () => {
  const series = new TimeSeries(60_000);
  series.push(50_000, 3);
  series.seed([{ t: 40_000, v: 2 }, { t: 10_000, v: 1 }, { t: 40_000, v: 9 }, { t: 60_000, v: 7 }]);
  assert.deepEqual(series.points, [{ t: 10_000, v: 1 }, { t: 40_000, v: 2 }, { t: 50_000, v: 3 }]);
});

test("maxPoints bounds memory", () => {
  const series = new TimeSeries(1e9, 3);
  for (let t = 1; t <= 5; t += 1) series.push(t, t);
  assert.deepEqual(series.points.map((p) => p.v), [3, 4, 5]);
});

test("counter rates per second; a reset gives null", () => {
  assert.equal(perSecond({ t: 0, v: 10 }, { t: 2000, v: 30 }), 10);
  assert.equal(perSecond({ t: 0, v: 10 }, { t: 2000, v: 3 }), null);
  assert.equal(perSecond({ t: 0, v: 1 }, { t: 0, v: 2 }), null);
  assert.equal(perSecond(null, { t: 0, v: 2 }), null);
});

test("history points become series points", () => {
  const points = historyPoints(
    [{ timestamp: "2026-01-01T00:00:00+00:00", tier1_hit_rate: 0.5 }, { timestamp: "bad", tier1_hit_rate: 1 }],
    "tier1_hit_rate",
    100,
  );
  assert.deepEqual(points, [{ t: Date.UTC(2026, 0, 1), v: 50 }]);
});
