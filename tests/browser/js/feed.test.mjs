import assert from "node:assert/strict";
import { test } from "node:test";

import { Backoff } from "../../../src/masterstream/web/js/backoff.mjs";
import { LiveFeed, TOPICS } from "../../../src/masterstream/web/js/feed.mjs";

class FakeSocket {
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
  }

  send(text) {
    this.sent.push(JSON.parse(text));
  }

  open() {
    this.readyState = 1;
    this.onopen?.();
  }

  close() {
    this.readyState = 3;
    this.onclose?.();
  }
}

function feedWithSockets() {
  const sockets = [];
  const delays = [];
  const backoff = new Backoff({ baseMs: 1, jitter: 0, maxMs: 4 });
  const next = backoff.next.bind(backoff);
  backoff.next = () => {
    const delay = next();
    delays.push(delay);
    return delay;
  };
  const feed = new LiveFeed({ url: "ws://127.0.0.1:1/ws", backoff, createSocket: (url) => {
    const socket = new FakeSocket(url);
    sockets.push(socket);
    return socket;
  } });
  const states = [];
  feed.addEventListener("state", (e) => states.push(e.detail.state));
  return { feed, sockets, delays, states };
}

const tick = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test("subscribes to every topic on open and answers pings", () => {
  const { feed, sockets, states } = feedWithSockets();
  feed.start();
  sockets[0].open();
  assert.deepEqual(sockets[0].sent[0], { type: "subscribe", data: { topics: TOPICS } });
  const seen = [];
  feed.addEventListener("cache_stats", (e) => seen.push(e.detail.data));
  sockets[0].onmessage({ data: JSON.stringify({ type: "ping", data: {} }) });
  sockets[0].onmessage({ data: JSON.stringify({ type: "cache_stats", data: { n: 1 } }) });
  sockets[0].onmessage({ data: "not json" });
  assert.deepEqual(sockets[0].sent[1], { type: "pong", data: {} });
  assert.deepEqual(seen, [{ n: 1 }]);
  assert.deepEqual(states, ["connecting", "open"]);
  feed.stop();
});

test("reconnects with growing delays, then resets after a good connection", async () => {
  const { feed, sockets, delays, states } = feedWithSockets();
  feed.start();
  sockets[0].close();
  await tick(10);
  sockets[1].close();
  await tick(10);
  assert.equal(sockets.length, 3);
  assert.deepEqual(delays, [1, 2]);
  sockets[2].open();
  sockets[2].close();
  await tick(10);
  assert.deepEqual(delays, [1, 2, 1]);
  assert.ok(states.includes("waiting") && states.includes("reconnecting"));
  assert.equal(feed.send("x", {}), false); // not connected: nothing is sent
  feed.stop();
  assert.equal(feed.state, "closed");
});
