import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { chunkUrl, rootPath, serverUrl } from "../../../src/masterstream/web/js/api.mjs";
import { LiveFeed } from "../../../src/masterstream/web/js/feed.mjs";

/** A page as the server writes it: `<html data-root-path="...">`, at `host`. */
function page(root, { host = "music.example.org", protocol = "https:" } = {}) {
  globalThis.document = { documentElement: { dataset: { rootPath: root } } };
  globalThis.location = { host, protocol };
}

afterEach(() => {
  delete globalThis.document;
  delete globalThis.location;
});

test("without a page (or at the root of the host) server paths stay as they are", () => {
  assert.equal(rootPath(), "");
  assert.equal(serverUrl("/api/tracks"), "/api/tracks");
  page("");
  assert.equal(serverUrl("/metrics"), "/metrics");
});

test("under a root path every server URL starts with it", () => {
  page("/music");
  assert.equal(serverUrl("/api/tracks?offset=0"), "/music/api/tracks?offset=0");
  const track = { id: 7, version: "abc" };
  const url = chunkUrl(track, 3, { preset: "warm", intensity: 0.5 }, { name: "flac" });
  assert.ok(url.startsWith("/music/api/tracks/7/chunks/3?"), url);
  assert.equal(new URLSearchParams(url.split("?")[1]).get("v"), "abc");
});

test("the live feed's WebSocket is under the root path, wss on an https page", () => {
  page("/music");
  assert.equal(LiveFeed.defaultUrl(), "wss://music.example.org/music/ws");
  page("", { host: "127.0.0.1:8765", protocol: "http:" });
  assert.equal(LiveFeed.defaultUrl(), "ws://127.0.0.1:8765/ws");
});
