import assert from "node:assert/strict";
import { test } from "node:test";

import { fetchPatiently, variantKey } from "../../../src/masterstream/web/js/chunk-loader.mjs";

function answering(statuses) {
  const calls = [];
  globalThis.fetch = async (url) => {
    calls.push(url);
    const status = statuses[Math.min(calls.length - 1, statuses.length - 1)];
    return new Response(null, { status, headers: status === 429 ? { "Retry-After": "0.01" } : {} });
  };
  return calls;
}

test("a 429 or 503 is retried after Retry-After, then answered", async () => {
  const calls = answering([429, 200]);
  const response = await fetchPatiently("/c", new AbortController().signal);
  assert.equal(response.status, 200);
  assert.equal(calls.length, 2);
});

test("retries stop after two; other errors are not retried", async () => {
  let calls = answering([503]);
  assert.equal((await fetchPatiently("/c", new AbortController().signal)).status, 503);
  assert.equal(calls.length, 3);
  calls = answering([404, 200]);
  assert.equal((await fetchPatiently("/c", new AbortController().signal)).status, 404);
  assert.equal(calls.length, 1);
});

test("an abort while waiting ends the wait", async () => {
  answering([429]);
  const controller = new AbortController();
  const pending = fetchPatiently("/c", controller.signal);
  controller.abort();
  await assert.rejects(pending, { name: "AbortError" });
});

test("variant keys: quantised intensity, original always at 1, format and bitrate", () => {
  assert.equal(variantKey({ preset: "warm", intensity: 0.5 }, { name: "flac" }), "warm|0.50|flac");
  assert.equal(variantKey({ preset: "original", intensity: 0.2 }, { name: "flac" }), "original|1.00|flac");
  assert.equal(variantKey({ preset: "warm", intensity: 1 }, { name: "opus", bitrate: 96 }), "warm|1.00|opus@96");
});
