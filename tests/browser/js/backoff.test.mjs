import assert from "node:assert/strict";
import { test } from "node:test";

import { Backoff, backoffDelayMs } from "../../../src/masterstream/web/js/backoff.mjs";

test("delays double from the base up to the cap", () => {
  const exact = { jitter: 0 };
  const delays = [0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelayMs(a, exact));
  assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 15000, 15000]);
});

test("jitter spreads a delay within its bounds, never over the cap", () => {
  assert.equal(backoffDelayMs(2, { jitter: 0.25 }, () => 0), 1500);
  assert.equal(backoffDelayMs(2, { jitter: 0.25 }, () => 1), 2500);
  assert.equal(backoffDelayMs(20, { jitter: 0.25 }, () => 1), 15000);
  assert.throws(() => backoffDelayMs(-1), RangeError);
});

test("Backoff counts attempts and resets after a good connection", () => {
  const backoff = new Backoff({ jitter: 0 });
  assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [500, 1000, 2000]);
  backoff.reset();
  assert.equal(backoff.next(), 500);
});
