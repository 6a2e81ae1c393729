/**
 * Sample-exact chunk scheduling: frame arithmetic only, no Web Audio.
 *
 * A Timeline lays segments (a whole chunk, or the tail of one after a seek) end to end on
 * the audio context's frame axis. Every position is an integer frame and each segment
 * starts on the frame where the previous one ends, so nothing drifts however long the
 * queue plays; seconds are derived at the edge (frame / sampleRate). The player asks this
 * module what to fetch next, where to start it, and how to bring in a new variant of a
 * segment that is already scheduled (replace it whole, or crossfade into it mid-chunk).
 */

/** Frames of chunk `chunk` of `track` at `rate`: every chunk is whole but the last. */
export function chunkFrameCount(track, chunk, rate) {
  if (!Number.isInteger(chunk) || chunk < 0 || chunk >= track.chunk_count) {
    throw new RangeError(`chunk ${chunk} outside 0..${track.chunk_count - 1}`);
  }
  const per = Math.round(track.chunk_duration_s * rate);
  if (chunk < track.chunk_count - 1) return per;
  const total = Math.round(track.duration_s * rate);
  return Math.max(1, total - per * (track.chunk_count - 1));
}

const MPEG1_RATES = [32000, 44100, 48000];

/**
 * The rate `format`'s chunks of a `trackRate` track decode at, which the audio context must
 * run at: decodeAudioData resamples every chunk on its own to the context's rate, which
 * neither tiles (a 2 s Opus chunk gives 88199 frames at 44.1 kHz) nor joins cleanly.
 * Lossless chunks keep the track's rate, Opus is always 48 kHz, MP3 is MPEG-1 (the
 * server's rule, masterstream.audio.mp3.mp3_sample_rate).
 */
export function decodedRate(format, trackRate) {
  if (format.lossless) return trackRate;
  if (format.name === "opus") return 48000;
  if (MPEG1_RATES.includes(trackRate)) return trackRate;
  return trackRate % 11025 === 0 ? 44100 : 48000;
}

/**
 * Frames a decoded chunk contributes. Lossless chunks decode to exactly their frames, so
 * the decoded length is the truth. Standalone lossy chunks declare their encoder delay
 * and padding in the file (Ogg Opus pre-skip and end granule, the MP3 LAME tag), which
 * the decoder trims; should one not trim the end, the chunk is cut to the expected
 * length. `offsetFrames` are skipped at the start (a seek into the chunk).
 */
export function segmentFrames({ decodedFrames, expectedFrames, lossless, offsetFrames = 0 }) {
  const frames = lossless ? decodedFrames : Math.min(decodedFrames, expectedFrames);
  return Math.max(0, frames - offsetFrames);
}

/** The chunk holding `positionS` and the frames into it, clamped to the track. */
export function seekTarget(track, positionS, rate) {
  const clamped = Math.min(Math.max(0, Number(positionS) || 0), track.duration_s);
  const chunk = Math.min(Math.floor(clamped / track.chunk_duration_s), track.chunk_count - 1);
  const offsetFrames = Math.round((clamped - chunk * track.chunk_duration_s) * rate);
  return { chunk, offsetFrames };
}

/** The first whole frame at least `leadS` after `currentTimeS`. */
export function alignedStartFrame(currentTimeS, rate, leadS) {
  return Math.ceil((currentTimeS + leadS) * rate - 1e-6);
}

/** The chunk to fetch after `last` ({queueIndex, chunk}) in `tracks` (the queue), or null. */
export function nextChunk(last, tracks) {
  const track = tracks[last.queueIndex];
  if (track && last.chunk + 1 < track.chunk_count) {
    return { queueIndex: last.queueIndex, chunk: last.chunk + 1 };
  }
  for (let index = last.queueIndex + 1; index < tracks.length; index += 1) {
    if (tracks[index]) return { queueIndex: index, chunk: 0 };
  }
  return null;
}

/** The track position (frames into the track) of context frame `frame` in `segment`. */
export function positionFrames(segment, frame) {
  const into = Math.min(Math.max(frame - segment.startFrame, 0), segment.frames);
  return segment.trackFrame + into;
}

/**
 * How to bring a new variant of a scheduled segment in, at context frame `nowFrame`:
 * `replace` one that has not started (same start frame), `crossfade` into one that is
 * playing (from a frame `safetyS` ahead, over `fadeS`), or `keep` one that ends too soon
 * for a crossfade to be worth it (its successor is replaced instead).
 */
export function switchPlan(segment, nowFrame, rate, options = {}) {
  const { safetyS = 0.06, fadeS = 0.025, minTailS = 0.3 } = options;
  const safety = Math.ceil(safetyS * rate);
  if (segment.startFrame >= nowFrame + safety) {
    return { mode: "replace", atFrame: segment.startFrame, offsetFrames: segment.offsetFrames };
  }
  const atFrame = nowFrame + safety;
  if (segment.endFrame - atFrame < Math.round(minTailS * rate)) return { mode: "keep" };
  return {
    mode: "crossfade",
    atFrame,
    fadeFrames: Math.round(fadeS * rate),
    offsetFrames: segment.offsetFrames + (atFrame - segment.startFrame),
  };
}

/** Segments laid end to end on the context's frame axis. */
export class Timeline {
  constructor() {
    this.segments = [];
    this.endFrame = null;
    this.gaps = 0;
  }

  get empty() {
    return this.segments.length === 0;
  }

  /** The next segment starts at `frame` (start of play, or after a seek). */
  anchor(frame) {
    if (!Number.isInteger(frame)) throw new TypeError(`frame must be an integer: ${frame}`);
    this.endFrame = frame;
  }

  /**
   * Append a segment of `fields.frames` frames where the previous one ends. Should that
   * frame already be earlier than `notBefore` (the fetch came too late), the segment
   * starts at `notBefore` instead and the gap is counted.
   */
  append(fields, notBefore = null) {
    if (this.endFrame === null) throw new Error("anchor the timeline before appending");
    if (!Number.isInteger(fields.frames) || fields.frames <= 0) {
      throw new RangeError(`a segment needs a positive whole number of frames: ${fields.frames}`);
    }
    let startFrame = this.endFrame;
    let gapFrames = 0;
    if (notBefore !== null && startFrame < notBefore) {
      gapFrames = notBefore - startFrame;
      startFrame = notBefore;
      this.gaps += 1;
    }
    const segment = { offsetFrames: 0, ...fields, startFrame, gapFrames };
    segment.endFrame = startFrame + segment.frames;
    this.segments.push(segment);
    this.endFrame = segment.endFrame;
    return segment;
  }

  /** The segment playing at `frame`, or null (before the first, after the last, a gap). */
  at(frame) {
    return this.segments.find((s) => s.startFrame <= frame && frame < s.endFrame) ?? null;
  }

  /** The segment at `frame`, else the next one to start after it (null at the end). */
  currentOrNext(frame) {
    return this.at(frame) ?? this.segments.find((s) => s.startFrame > frame) ?? null;
  }

  /** Segments that have not finished by `frame`, in order. */
  unfinished(frame) {
    return this.segments.filter((s) => s.endFrame > frame);
  }

  /** Frames scheduled after `frame`. */
  aheadFrames(frame) {
    return this.endFrame === null ? 0 : Math.max(0, this.endFrame - frame);
  }

  last() {
    return this.segments.at(-1) ?? null;
  }

  /** Forget segments that finished before `frame`; returns them. */
  prune(frame) {
    const done = this.segments.filter((s) => s.endFrame <= frame);
    this.segments = this.segments.filter((s) => s.endFrame > frame);
    return done;
  }

  /** Drop every segment from index `index` on; the timeline then ends where they began. */
  truncate(index) {
    const removed = this.segments.splice(index);
    if (removed.length > 0) {
      this.endFrame = this.last()?.endFrame ?? removed[0].startFrame - removed[0].gapFrames;
    }
    return removed;
  }

  clear() {
    const removed = this.segments;
    this.segments = [];
    this.endFrame = null;
    return removed;
  }
}
