/** Reconnect back-off: exponential, capped, with jitter so clients do not reconnect in step. */

export const BACKOFF_DEFAULTS = { baseMs: 500, factor: 2, maxMs: 15000, jitter: 0.25 };

/** The delay before reconnect attempt `attempt` (0 = the first retry). */
export function backoffDelayMs(attempt, options = {}, random = Math.random) {
  const { baseMs, factor, maxMs, jitter } = { ...BACKOFF_DEFAULTS, ...options };
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`bad attempt ${attempt}`);
  const raw = Math.min(maxMs, baseMs * factor ** attempt);
  const spread = raw * jitter;
  return Math.round(Math.min(maxMs, Math.max(0, raw - spread + 2 * spread * random())));
}

/** Counts attempts; `next()` gives the next delay, `reset()` after a good connection. */
export class Backoff {
  constructor(options = {}, random = Math.random) {
    this.options = options;
    this.random = random;
    this.attempt = 0;
  }

  next() {
    const delay = backoffDelayMs(this.attempt, this.options, this.random);
    this.attempt += 1;
    return delay;
  }

  reset() {
    this.attempt = 0;
  }
}
