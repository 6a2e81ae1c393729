/** Time series for the dashboard's charts: the last `windowMs` of (time, value) points. */

export const TEN_MINUTES_MS = 10 * 60 * 1000;

export class TimeSeries {
  constructor(windowMs = TEN_MINUTES_MS, maxPoints = 2000) {
    this.windowMs = windowMs;
    this.maxPoints = maxPoints;
    this.points = [];
  }

  /** Add a point; out-of-order or non-finite values are ignored. */
  push(tMs, value) {
    if (!Number.isFinite(tMs) || !Number.isFinite(value)) return false;
    const last = this.points.at(-1);
    if (last && tMs <= last.t) return false;
    this.points.push({ t: tMs, v: value });
    this.trim(tMs);
    return true;
  }

  /** Merge earlier points (from the server's history) under the ones already held. */
  seed(points) {
    const first = this.points[0]?.t ?? Infinity;
    const older = points
      .filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v) && p.t < first)
      .sort((a, b) => a.t - b.t)
      .filter((p, i, all) => i === 0 || p.t > all[i - 1].t);
    this.points = [...older, ...this.points];
    this.trim(this.points.at(-1)?.t ?? 0);
  }

  /** Drop points older than the window ending at `nowMs`, and any beyond `maxPoints`. */
  trim(nowMs) {
    const oldest = nowMs - this.windowMs;
    let drop = 0;
    while (drop < this.points.length && this.points[drop].t < oldest) drop += 1;
    drop = Math.max(drop, this.points.length - this.maxPoints);
    if (drop > 0) this.points.splice(0, drop);
  }

  last() {
    return this.points.at(-1) ?? null;
  }

  /** [min, max] of the values (both 0 when empty). */
  extent() {
    if (this.points.length === 0) return [0, 0];
    let lo = Infinity;
    let hi = -Infinity;
    for (const { v } of this.points) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return [lo, hi];
  }
}

/** Per-second rate between two counter readings; null on a reset or no elapsed time. */
export function perSecond(previous, next) {
  if (!previous || !next) return null;
  const seconds = (next.t - previous.t) / 1000;
  const delta = next.v - previous.v;
  if (!(seconds > 0) || delta < 0) return null;
  return delta / seconds;
}

/** Series from the server's history points (ISO timestamps) for one field. */
export function historyPoints(points, field, scale = 1) {
  return points
    .map((p) => ({ t: Date.parse(p.timestamp), v: Number(p[field]) * scale }))
    .filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v));
}
