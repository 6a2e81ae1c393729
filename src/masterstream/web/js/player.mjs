/**
 * The gapless player: transport (play, pause, seek, next, previous), the queue it follows,
 * the variant, compare and volume, and the playhead. Lookahead keeps the Timeline filled
 * ahead of the playhead (each chunk starting on the frame where the previous ends, across
 * track boundaries); VariantSwitcher brings preset and intensity changes in at the next
 * chunk boundary at the latest. Events: state, time, trackchange, variant, chunks,
 * failure, ended.
 */

import { AudioGraph } from "./audio-graph.mjs";
import { ChunkLoader } from "./chunk-loader.mjs";
import { dbToGain } from "./format.mjs";
import { Lookahead } from "./lookahead.mjs";
import { Timeline, decodedRate, nextChunk, positionFrames, seekTarget } from "./schedule.mjs";
import { VariantSwitcher } from "./variant-switch.mjs";

const TICK_MS = 200;

export class Player extends EventTarget {
  constructor({ tracks, queue, format, variant, createContext } = {}) {
    super();
    this.tracks = tracks; // Map id -> track
    this.queue = queue;
    this.format = format;
    this.variant = variant;
    this.createContext = createContext;
    this.graph = null;
    this.timeline = new Timeline();
    this.loader = new ChunkLoader(this);
    this.switcher = new VariantSwitcher(this);
    this.lookahead = new Lookahead(this);
    this.generation = 0;
    this.cursor = null;
    this.needsAnchor = true;
    this.playing = false;
    this.startPositionS = 0;
    this.compare = false;
    this.compareArmed = false;
    this.volume = 1;
    this.muted = false;
    this.log = [];
    this.timer = null;
  }

  get rate() {
    return this.graph?.rate ?? this.currentTrack?.sample_rate ?? 44100;
  }

  get currentTrack() {
    return this.tracks.get(this.queue.current) ?? null;
  }

  trackAt(queueIndex) {
    return this.tracks.get(this.queue.items[queueIndex]) ?? null;
  }

  /** The segment playing now (or the next to play while starting up). */
  get currentSegment() {
    if (!this.graph) return null;
    return this.timeline.currentOrNext(this.graph.nowFrame);
  }

  /** Seconds into the current track. */
  get position() {
    const segment = this.currentSegment;
    if (!segment) return this.startPositionS;
    return positionFrames(segment, this.graph.nowFrame) / this.rate;
  }

  /** Seconds of the current track buffered (decoded and scheduled). */
  get bufferedUntil() {
    const mine = this.timeline.segments.filter((s) => s.queueIndex === this.queue.index);
    const last = mine.at(-1);
    return last ? (last.trackFrame + last.frames) / this.rate : this.position;
  }

  emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  async play() {
    const track = this.currentTrack;
    if (!track) return;
    if (!this.graph) {
      this.graph = new AudioGraph(decodedRate(this.format, track.sample_rate), this.createContext);
      this.graph.setVolume(this.volume, this.muted);
      this.timer = setInterval(() => this.tick(), TICK_MS);
    }
    const resumed = this.graph.resume();
    this.playing = true;
    if (this.timeline.empty && !this.cursor) this.startAt(this.queue.index, this.startPositionS);
    this.emit("state", { playing: true });
    await resumed;
  }

  pause() {
    this.playing = false;
    this.graph?.suspend();
    this.emit("state", { playing: false });
  }

  toggle() {
    return this.playing ? this.pause() : this.play();
  }

  /** Rebuild the schedule from `positionS` of queue entry `queueIndex`. */
  startAt(queueIndex, positionS) {
    this.stopAll();
    this.queue.jump(queueIndex);
    const track = this.trackAt(queueIndex);
    this.startPositionS = positionS;
    if (!track || !this.graph) {
      this.emit("trackchange", { track });
      return;
    }
    const { chunk, offsetFrames } = seekTarget(track, positionS, this.rate);
    this.cursor = { queueIndex, chunk, offsetFrames };
    this.emit("trackchange", { track });
    this.pump();
  }

  stopAll() {
    this.generation += 1;
    this.loader.abort();
    for (const segment of this.timeline.clear()) {
      this.graph?.stop(segment.mastered);
      this.graph?.stop(segment.original);
    }
    this.cursor = null;
    this.needsAnchor = true;
  }

  seek(positionS) {
    const track = this.currentTrack;
    if (!track) return;
    const clamped = Math.min(Math.max(0, positionS), track.duration_s);
    if (!this.graph || !this.playing) {
      this.startPositionS = clamped;
      if (this.graph) this.stopAll();
      this.emit("time", { seeked: true });
      return;
    }
    this.startAt(this.queue.index, clamped);
    this.emit("time", { seeked: true });
  }

  next() {
    if (this.queue.index + 1 < this.queue.length) this.jumpTo(this.queue.index + 1);
  }

  previous() {
    if (this.position > 3 || this.queue.index === 0) this.seek(0);
    else this.jumpTo(this.queue.index - 1);
  }

  jumpTo(queueIndex) {
    if (this.graph && this.playing) this.startAt(queueIndex, 0);
    else {
      this.stopAll();
      this.queue.jump(queueIndex);
      this.startPositionS = 0;
      this.emit("trackchange", { track: this.currentTrack });
    }
  }

  /** The queue was edited: keep what plays, re-plan everything after the current track. */
  queueChanged() {
    if (!this.graph || this.timeline.empty) return;
    const playingId = this.currentSegment?.trackId;
    if (playingId !== this.queue.current) {
      this.startAt(this.queue.index, 0);
      return;
    }
    const firstOther = this.timeline.segments.findIndex((s) => s.trackId !== playingId);
    for (const segment of this.timeline.segments) segment.queueIndex = this.queue.index;
    if (firstOther >= 0) {
      for (const s of this.timeline.truncate(firstOther)) {
        this.graph.stop(s.mastered);
        this.graph.stop(s.original);
      }
    }
    this.generation += 1;
    this.loader.abort();
    const last = this.timeline.last();
    this.cursor = last ? nextChunk(last, this.queue.items.map((id) => this.tracks.get(id))) : null;
    if (this.cursor) this.cursor.offsetFrames = 0;
    this.pump();
  }

  setVariant(variant) {
    this.variant = { ...variant };
    this.emit("variant", { variant: this.variant });
    this.switcher.switchTo(this.variant);
  }

  /** Play on in `format` from where we are; a format that decodes at another rate needs
   * a new audio context (see schedule.decodedRate). */
  setFormat(format) {
    this.format = format;
    const track = this.currentTrack;
    if (this.graph && track && this.graph.rate !== decodedRate(format, track.sample_rate)) {
      const positionS = this.position;
      this.stopAll();
      clearInterval(this.timer);
      this.graph.close();
      this.graph = null;
      this.startPositionS = positionS;
      if (this.playing) this.play();
      return;
    }
    if (this.graph && this.playing) this.startAt(this.queue.index, this.position);
  }

  setCompare(on) {
    this.compare = Boolean(on);
    if (this.compare && !this.compareArmed) {
      this.compareArmed = true;
      this.switcher.armOriginals();
    }
    this.applyCompare();
    this.emit("variant", { variant: this.variant });
  }

  /** Listen to the original only once the segment playing now has its original. */
  applyCompare() {
    if (!this.graph) return;
    const original = this.currentSegment?.original;
    if (this.compare && original) this.graph.listenToOriginal(true, original.atFrame / this.rate);
    else this.graph.listenToOriginal(false);
  }

  setVolume(volume, muted) {
    this.volume = volume;
    this.muted = muted;
    this.graph?.setVolume(volume, muted);
  }

  /** Level-match gain (linear) for the original of `track` under `variant`. */
  async originalGain(track, variant) {
    try {
      const view = await this.loader.mastering(track, variant);
      return dbToGain(view?.level_match?.original_gain_db ?? 0);
    } catch (error) {
      this.emit("failure", { track, error, kept: true });
      return 1;
    }
  }

  pump() {
    return this.lookahead.fill();
  }

  record(kind, segment, extra = {}) {
    const { trackId, chunk, startFrame, frames, offsetFrames, gapFrames, variant, source } = segment;
    this.log.push({
      kind, trackId, chunk, startFrame, frames, offsetFrames, gapFrames, source,
      preset: variant.preset, intensity: variant.intensity, rate: this.rate,
      when: startFrame / this.rate, ...extra,
    });
    if (this.log.length > 2000) this.log.splice(0, this.log.length - 2000);
  }

  tick() {
    if (!this.graph) return;
    const now = this.graph.nowFrame;
    const segment = this.timeline.at(now);
    if (segment && segment.queueIndex !== this.queue.index) {
      this.queue.jump(segment.queueIndex);
      this.emit("trackchange", { track: this.currentTrack });
    }
    if (segment) this.applyCompare();
    this.timeline.prune(now - this.rate);
    const drained = this.timeline.empty || now >= this.timeline.endFrame;
    if (this.playing && drained && !this.cursor && !this.lookahead.busy) {
      this.playing = false;
      this.stopAll();
      this.startPositionS = 0;
      this.emit("ended");
      this.emit("state", { playing: false });
    }
    if (this.playing) this.pump();
    this.emit("time");
  }
}
