import assert from "node:assert/strict";
import { test } from "node:test";

import { mbPerMinute, recordUse, useRows } from "../../../src/masterstream/web/js/data-use.mjs";

const track = { sample_rate: 44100, channels: 2 };
const formats = [
  { name: "flac", label: "FLAC (lossless)", lossless: true },
  { name: "opus", bitrate: 128, label: "OPUS 128 kbit/s", lossless: false },
  { name: "mp3", bitrate: 192, label: "MP3 192 kbit/s", lossless: false },
];

test("bytes per minute of audio heard", () => {
  assert.equal(mbPerMinute(1e6, 60), 1);
  assert.equal(mbPerMinute(160000, 10), 0.96);
  assert.equal(mbPerMinute(5, 0), null);
});

test("each played format is measured against 16-bit PCM and against FLAC", () => {
  const usage = new Map();
  recordUse(usage, "opus@128", { bytes: 160000, seconds: 10, track });
  recordUse(usage, "opus@128", { bytes: 160000, seconds: 10, track });
  let rows = useRows(usage, formats);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].mbPerMinute, 0.96);
  assert.ok(Math.abs(rows[0].savedVsPcm - (1 - 16000 / 176400)) < 1e-12);
  assert.equal(rows[0].savedVsFlac, null); // FLAC not played: nothing to compare with

  recordUse(usage, "flac", { bytes: 800000, seconds: 10, track });
  rows = useRows(usage, formats);
  assert.deepEqual(rows.map((r) => r.key), ["flac", "opus@128"]);
  assert.equal(rows[0].savedVsFlac, null);
  assert.equal(rows[1].savedVsFlac, 0.8);
});
