/**
 * The Web Audio side of the player: one context, two buses (the mastered stream and the
 * original, level-matched) into a volume stage, and buffer sources started at exact frames.
 *
 *   segment source -> segment gain -> mastered bus --\
 *   segment source -> segment gain -> original bus ---> volume -> destination
 *
 * Compare switches the buses (a ramp of a few milliseconds, so no click); a preset change
 * swaps a segment's mastered source (see schedule.switchPlan).
 */

const BUS_RAMP_S = 0.008;

export class AudioGraph {
  constructor(sampleRate, createContext = (options) => new AudioContext(options)) {
    this.ctx = createContext({ sampleRate, latencyHint: "playback" });
    this.rate = this.ctx.sampleRate;
    this.volume = this.ctx.createGain();
    this.volume.connect(this.ctx.destination);
    this.mastered = this.ctx.createGain();
    this.original = this.ctx.createGain();
    this.original.gain.value = 0;
    this.mastered.connect(this.volume);
    this.original.connect(this.volume);
    this.listening = false;
  }

  get nowFrame() {
    return Math.round(this.ctx.currentTime * this.rate);
  }

  decode(bytes) {
    return this.ctx.decodeAudioData(bytes);
  }

  /**
   * Play `buffer` from `offsetFrames` at context frame `atFrame` into `bus` through its own
   * gain; `frames` bounds how much is played (a trimmed lossy chunk, a crossfaded tail).
   */
  start(buffer, bus, atFrame, offsetFrames, frames, gain = 1) {
    const node = this.ctx.createBufferSource();
    node.buffer = buffer;
    const level = this.ctx.createGain();
    level.gain.value = gain;
    node.connect(level).connect(bus === "original" ? this.original : this.mastered);
    const available = buffer.length - offsetFrames;
    if (frames < available) node.start(atFrame / this.rate, offsetFrames / this.rate, frames / this.rate);
    else node.start(atFrame / this.rate, offsetFrames / this.rate);
    node.onended = () => level.disconnect();
    return { node, level, atFrame };
  }

  /** Stop a source now (one not yet started never plays). */
  stop(source) {
    if (!source) return;
    try {
      source.node.stop();
    } catch {
      // already stopped
    }
    source.node.onended = null;
    source.level.disconnect();
  }

  /** Fade `from` out and `to` in over [atFrame, atFrame + fadeFrames]. */
  crossfade(from, to, atFrame, fadeFrames) {
    const at = atFrame / this.rate;
    const end = (atFrame + fadeFrames) / this.rate;
    from.level.gain.setValueAtTime(from.level.gain.value, at);
    from.level.gain.linearRampToValueAtTime(0, end);
    from.node.stop(end);
    to.level.gain.setValueAtTime(0, at);
    to.level.gain.linearRampToValueAtTime(1, end);
  }

  /** Set a source's gain from context frame `atFrame` on (the level match of a segment). */
  setGainAt(source, gain, atFrame) {
    if (!source) return;
    const at = Math.max(atFrame / this.rate, this.ctx.currentTime);
    source.level.gain.setValueAtTime(gain, at);
  }

  /** Hear the original (true) or the master (false) from context time `atS` (or now). */
  listenToOriginal(original, atS = 0) {
    const at = Math.max(atS, this.ctx.currentTime);
    if (this.listening === original) return;
    this.listening = original;
    for (const [bus, value] of [[this.mastered, original ? 0 : 1], [this.original, original ? 1 : 0]]) {
      bus.gain.cancelScheduledValues(this.ctx.currentTime);
      bus.gain.setValueAtTime(bus.gain.value, at);
      bus.gain.linearRampToValueAtTime(value, at + BUS_RAMP_S);
    }
  }

  setVolume(volume, muted) {
    const now = this.ctx.currentTime;
    this.volume.gain.cancelScheduledValues(now);
    this.volume.gain.setTargetAtTime(muted ? 0 : volume * volume, now, 0.015);
  }

  resume() {
    return this.ctx.state === "running" ? Promise.resolve() : this.ctx.resume();
  }

  suspend() {
    return this.ctx.state === "running" ? this.ctx.suspend() : Promise.resolve();
  }

  /** Release the context (the player changes to a format that decodes at another rate). */
  close() {
    return this.ctx.state === "closed" ? Promise.resolve() : this.ctx.close();
  }
}
