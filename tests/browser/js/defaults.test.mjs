import assert from "node:assert/strict";
import { test } from "node:test";

import { sessionEnded } from "../../../src/masterstream/web/js/api.mjs";
import {
  RAW, bitrateFor, formatChoices, formatKeyOf, settingsBody, variantOf,
} from "../../../src/masterstream/web/js/defaults.mjs";

// The shape GET /api/formats answers with (two lossless formats, two lossy ones).
const FORMATS = {
  formats: [
    { name: "wav", lossy: false, bitrates_kbps: [], default_bitrate_kbps: null },
    { name: "flac", lossy: false, bitrates_kbps: [], default_bitrate_kbps: null },
    { name: "opus", lossy: true, bitrates_kbps: [64, 96, 128], default_bitrate_kbps: 96 },
    { name: "mp3", lossy: true, bitrates_kbps: [128, 192, 320], default_bitrate_kbps: 192 },
  ],
};

test("format choices are the server's formats, then the original file", () => {
  const choices = formatChoices(FORMATS);
  assert.deepEqual(choices.map((c) => c.name), ["wav", "flac", "opus", "mp3", "raw"]);
  assert.equal(choices.at(-1), RAW);
  assert.deepEqual(choices[2].bitrates, [64, 96, 128]);
  assert.match(choices[1].label, /lossless/);
  assert.deepEqual(formatChoices(null).map((c) => c.name), ["raw"]);
});

test("a bitrate is kept only when the format offers it", () => {
  const choices = formatChoices(FORMATS);
  assert.equal(bitrateFor(choices, "mp3", 320), 320);
  assert.equal(bitrateFor(choices, "mp3", 64), 192);  // opus's bitrate, not mp3's: mp3's default
  assert.equal(bitrateFor(choices, "opus", 320), 96);
  assert.equal(bitrateFor(choices, "flac", 320), null);
  assert.equal(bitrateFor(choices, "raw", 128), null);
});

test("the settings body carries the form's values, validated", () => {
  const choices = formatChoices(FORMATS);
  const form = { preset: "warm", intensity: "0.35", format: "opus", bitrate: "128" };
  assert.deepEqual(settingsBody(form, choices), {
    default_preset: "warm", default_intensity: 0.35, default_format: "opus", default_bitrate_kbps: 128,
  });
  const none = settingsBody({ preset: "", intensity: "7", format: "flac", bitrate: "" }, choices);
  assert.deepEqual(none, { default_preset: null, default_intensity: 1, default_format: "flac", default_bitrate_kbps: null });
  const album = settingsBody({ ...form, loudness: "album" }, choices);
  assert.equal(album.default_loudness, "album");
});

test("the player's variant and format key from a user's settings", () => {
  const settings = { default_preset: "warm", default_intensity: 0.4, default_format: "opus", default_bitrate_kbps: 96 };
  assert.deepEqual(variantOf(settings, ["adaptive", "warm"]), { preset: "warm", intensity: 0.4 });
  assert.deepEqual(variantOf({ ...settings, default_preset: null }, ["adaptive", "warm"]), { preset: "adaptive", intensity: 0.4 });
  assert.deepEqual(variantOf({ ...settings, default_preset: "gone" }, ["adaptive"], "adaptive").preset, "adaptive");
  assert.equal(formatKeyOf(settings), "opus@96");
  assert.equal(formatKeyOf({ default_format: "flac", default_bitrate_kbps: null }), "flac");
  assert.equal(formatKeyOf({ default_format: "wav", default_bitrate_kbps: null }), "flac");  // same samples
  assert.equal(formatKeyOf({ default_format: "raw", default_bitrate_kbps: null }), "flac");  // no chunks
});

test("only a 401 with the user realm's challenge ends the session", () => {
  assert.equal(sessionEnded(401, 'Bearer realm="masterstream"'), true);
  assert.equal(sessionEnded(401, 'Bearer realm="masterstream-admin"'), false);  // admin token
  assert.equal(sessionEnded(401, null), false);  // wrong password at sign-in
  assert.equal(sessionEnded(403, 'Bearer realm="masterstream"'), false);
});
