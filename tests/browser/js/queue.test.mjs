import assert from "node:assert/strict";
import { test } from "node:test";

import { Queue } from "../../../src/masterstream/web/js/queue.mjs";

test("play next, add, and the current track stays current through reorders", () => {
  const queue = new Queue();
  queue.add(5);
  assert.equal(queue.current, 5);
  queue.add(6);
  queue.playNext(7);
  assert.deepEqual(queue.items, [5, 7, 6]);
  assert.ok(queue.move(0, 2));
  assert.deepEqual(queue.items, [7, 6, 5]);
  assert.equal(queue.current, 5);
  assert.ok(queue.move(2, 0));
  assert.equal(queue.current, 5);
  assert.equal(queue.index, 0);
  assert.ok(!queue.move(0, 9));
});

test("removing before, at and after the current track", () => {
  const queue = new Queue([1, 2, 3, 4], 2);
  queue.remove(0);
  assert.equal(queue.current, 3);
  queue.remove(1);
  assert.equal(queue.current, 4);
  queue.remove(1);
  assert.equal(queue.current, 2);
  queue.remove(0);
  assert.equal(queue.current, null);
  assert.equal(queue.index, -1);
});

test("clear keeps only what plays; replace starts an album at a track", () => {
  const queue = new Queue([1, 2, 3], 1);
  queue.clear();
  assert.deepEqual(queue.toJSON(), { items: [2], index: 0 });
  queue.replace([10, 11, 12], 2);
  assert.equal(queue.current, 12);
  assert.ok(queue.jump(0));
  assert.ok(!queue.jump(3));
});

test("round trip through JSON, rejecting garbage", () => {
  const queue = Queue.fromJSON(JSON.parse(JSON.stringify(new Queue([3, 4], 1))));
  assert.equal(queue.current, 4);
  assert.equal(Queue.fromJSON({ items: ["x", 2, -1], index: 7 }).current, 2);
  assert.equal(Queue.fromJSON(null).length, 0);
});
