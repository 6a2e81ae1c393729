import assert from "node:assert/strict";
import { test } from "node:test";

import {
  Timeline,
  alignedStartFrame,
  chunkFrameCount,
  decodedRate,
  nextChunk,
  positionFrames,
  seekTarget,
  segmentFrames,
  switchPlan,
} from "../../../src/masterstream/web/js/schedule.mjs";

const RATE = 44100;
const track = { chunk_count: 3, chunk_duration_s: 10, duration_s: 25.5 };

test("chunks are whole but the last, and tile the track", () => {
  const frames = [0, 1, 2].map((k) => chunkFrameCount(track, k, RATE));
  assert.deepEqual(frames, [441000, 441000, 242550]);
  assert.equal(frames.reduce((a, b) => a + b), Math.round(25.5 * RATE));
  assert.throws(() => chunkFrameCount(track, 3, RATE), RangeError);
  assert.throws(() => chunkFrameCount(track, -1, RATE), RangeError);
});

test("lossless chunks keep their decoded length; lossy ones are cut to the expected", () => {
  assert.equal(segmentFrames({ decodedFrames: 441001, expectedFrames: 441000, lossless: true }), 441001);
  assert.equal(segmentFrames({ decodedFrames: 442104, expectedFrames: 441000, lossless: false }), 441000);
  assert.equal(segmentFrames({ decodedFrames: 441000, expectedFrames: 441000, lossless: true, offsetFrames: 1000 }), 440000);
});

test("segments abut exactly, frame for frame, across any number of chunks", () => {
  const timeline = new Timeline();
  timeline.anchor(alignedStartFrame(0.123, RATE, 0.1));
  const lengths = [441000, 441000, 220500, 441000, 17];
  const segments = lengths.map((frames, i) => timeline.append({ chunk: i, frames, trackFrame: 0 }));
  for (let i = 1; i < segments.length; i += 1) {
    assert.equal(segments[i].startFrame, segments[i - 1].startFrame + lengths[i - 1]);
    assert.equal(segments[i].gapFrames, 0);
  }
  assert.equal(timeline.endFrame, segments[0].startFrame + lengths.reduce((a, b) => a + b));
  assert.equal(timeline.gaps, 0);
});

test("the first start frame is whole and at least the lead ahead", () => {
  const frame = alignedStartFrame(1.0000001, RATE, 0.1);
  assert.ok(Number.isInteger(frame));
  assert.ok(frame / RATE >= 1.1);
  assert.ok(frame / RATE - 1.1 < 1 / RATE + 1e-7);
  assert.equal(alignedStartFrame(1, 100, 0), 100);
});

test("a late segment starts no earlier than asked and the gap is counted", () => {
  const timeline = new Timeline();
  timeline.anchor(1000);
  timeline.append({ frames: 100, trackFrame: 0 });
  const late = timeline.append({ frames: 100, trackFrame: 100 }, 1500);
  assert.equal(late.startFrame, 1500);
  assert.equal(late.gapFrames, 400);
  assert.equal(timeline.gaps, 1);
  const onTime = timeline.append({ frames: 50, trackFrame: 200 }, 1500);
  assert.equal(onTime.startFrame, 1600);
});

test("appending needs an anchor and whole frames", () => {
  const timeline = new Timeline();
  assert.throws(() => timeline.append({ frames: 10 }), /anchor/);
  timeline.anchor(0);
  assert.throws(() => timeline.append({ frames: 0.5 }), RangeError);
  assert.throws(() => timeline.anchor(0.5), TypeError);
});

test("positions map back into the track, through a seek offset", () => {
  const timeline = new Timeline();
  timeline.anchor(5000);
  const { chunk, offsetFrames } = seekTarget(track, 12.5, RATE);
  assert.deepEqual({ chunk, offsetFrames }, { chunk: 1, offsetFrames: 110250 });
  const head = timeline.append({ chunk, offsetFrames, frames: 441000 - offsetFrames, trackFrame: 441000 + offsetFrames });
  assert.equal(positionFrames(head, 5000) / RATE, 12.5);
  assert.equal(positionFrames(head, 5000 + RATE) / RATE, 13.5);
  assert.equal(positionFrames(head, 0), head.trackFrame);
  assert.equal(timeline.at(4999), null);
  assert.equal(timeline.currentOrNext(4999), head);
  assert.equal(seekTarget(track, 99, RATE).chunk, 2);
  assert.equal(seekTarget(track, -4, RATE).offsetFrames, 0);
});

test("the next chunk runs on into the next track of the queue", () => {
  const tracks = [track, { chunk_count: 1 }, undefined, { chunk_count: 2 }];
  assert.deepEqual(nextChunk({ queueIndex: 0, chunk: 1 }, tracks), { queueIndex: 0, chunk: 2 });
  assert.deepEqual(nextChunk({ queueIndex: 0, chunk: 2 }, tracks), { queueIndex: 1, chunk: 0 });
  assert.deepEqual(nextChunk({ queueIndex: 1, chunk: 0 }, tracks), { queueIndex: 3, chunk: 0 });
  assert.equal(nextChunk({ queueIndex: 3, chunk: 1 }, tracks), null);
});

test("a new variant replaces a future segment, crossfades into a playing one", () => {
  const segment = { startFrame: 10000, endFrame: 10000 + 441000, frames: 441000, offsetFrames: 0 };
  const future = switchPlan(segment, 0, RATE);
  assert.deepEqual(future, { mode: "replace", atFrame: 10000, offsetFrames: 0 });
  const playing = switchPlan(segment, 20000, RATE, { safetyS: 0.05, fadeS: 0.02 });
  assert.equal(playing.mode, "crossfade");
  assert.equal(playing.atFrame, 20000 + Math.ceil(0.05 * RATE));
  assert.equal(playing.offsetFrames, playing.atFrame - 10000);
  assert.equal(playing.fadeFrames, 882);
  const ending = switchPlan(segment, segment.endFrame - 1000, RATE);
  assert.equal(ending.mode, "keep");
  const seeked = { ...segment, offsetFrames: 500 };
  assert.equal(switchPlan(seeked, 20000, RATE).offsetFrames, 500 + switchPlan(seeked, 20000, RATE).atFrame - 10000);
});

test("truncating leaves the timeline ending where the dropped segments began", () => {
  const timeline = new Timeline();
  timeline.anchor(0);
  timeline.append({ frames: 10, trackFrame: 0 });
  timeline.append({ frames: 10, trackFrame: 10 }, 30);
  const removed = timeline.truncate(1);
  assert.equal(removed.length, 1);
  assert.equal(timeline.endFrame, 10);
  assert.equal(timeline.append({ frames: 5, trackFrame: 10 }).startFrame, 10);
  timeline.truncate(0);
  assert.equal(timeline.endFrame, 0);
  assert.equal(timeline.prune(100).length, 0);
});

test("unfinished and prune split the timeline at a frame", () => {
  const timeline = new Timeline();
  timeline.anchor(0);
  for (let i = 0; i < 4; i += 1) timeline.append({ frames: 10, trackFrame: i * 10 });
  assert.equal(timeline.unfinished(15).length, 3);
  assert.equal(timeline.aheadFrames(15), 25);
  assert.equal(timeline.prune(20).length, 2);
  assert.equal(timeline.segments[0].startFrame, 20);
});

test("the context runs at the rate a format's chunks decode at", () => {
  const flac = { name: "flac", lossless: true };
  const opus = { name: "opus", bitrate: 128, lossless: false };
  const mp3 = { name: "mp3", bitrate: 192, lossless: false };
  assert.equal(decodedRate(flac, 96000), 96000);
  assert.equal(decodedRate(opus, 44100), 48000);
  assert.equal(decodedRate(mp3, 44100), 44100);
  assert.equal(decodedRate(mp3, 32000), 32000);
  assert.equal(decodedRate(mp3, 88200), 44100);
  assert.equal(decodedRate(mp3, 96000), 48000);
  assert.equal(decodedRate(mp3, 22050), 44100);
});

test("an Opus chunk at 48 kHz tiles a 44.1 kHz track's chunks", () => {
  const tenS = { chunk_count: 2, chunk_duration_s: 10, duration_s: 15 };
  assert.deepEqual([0, 1].map((k) => chunkFrameCount(tenS, k, 48000)), [480000, 240000]);
});
