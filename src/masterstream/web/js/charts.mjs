/**
 * SVG charts drawn by the app itself: lines over linear or logarithmic axes, with ticks,
 * horizontal reference lines (limits, ceilings) and bars. Everything is sized in the SVG's
 * own units and scales with its container.
 */

import { svg } from "./dom.mjs";

const PAD = { left: 38, right: 8, top: 8, bottom: 18 };

function scale(axis, lo, hi) {
  const { min, max, log = false } = axis;
  const f = log ? Math.log10 : (v) => v;
  const a = f(min);
  const b = f(max);
  const span = b - a || 1;
  return (v) => lo + ((f(Math.min(Math.max(v, min), max)) - a) / span) * (hi - lo);
}

/** Nice round ticks for [min, max]. */
export function ticks(min, max, count = 4) {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

/** A y range covering `values` with a little headroom (never empty). */
export function yRange(values, { floor = null, minSpan = 1 } = {}) {
  const finite = values.filter(Number.isFinite);
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : minSpan;
  if (floor !== null) lo = Math.min(lo, floor);
  if (hi - lo < minSpan) hi = lo + minSpan;
  return { min: lo, max: hi + (hi - lo) * 0.08 };
}

/**
 * `plot({width, height, x, y, lines, hlines, bars, xTicks, yTicks, label})`: axes are
 * `{min, max, log}`; lines `{points: [[x, y]], cls}`; hlines `{y, cls, text}`;
 * bars `{x0, x1, y, cls}`; ticks `[{v, text}]`.
 */
export function plot({ width = 320, height = 140, x, y, lines = [], hlines = [], bars = [], xTicks = [], yTicks = [], label = "" }) {
  const sx = scale(x, PAD.left, width - PAD.right);
  const sy = scale(y, height - PAD.bottom, PAD.top);
  const root = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label });
  for (const t of yTicks) {
    root.append(svg("line", { class: "grid", x1: PAD.left, x2: width - PAD.right, y1: sy(t.v), y2: sy(t.v) }));
    root.append(svg("text", { x: PAD.left - 4, y: sy(t.v) + 3, "text-anchor": "end" }, t.text));
  }
  for (const t of xTicks) {
    root.append(svg("text", { x: sx(t.v), y: height - 4, "text-anchor": "middle" }, t.text));
  }
  root.append(svg("line", { class: "axis", x1: PAD.left, x2: width - PAD.right, y1: height - PAD.bottom, y2: height - PAD.bottom }));
  for (const bar of bars) {
    const top = sy(Math.max(bar.y, y.min));
    root.append(svg("rect", { class: bar.cls ?? "bar", x: sx(bar.x0), width: Math.max(1, sx(bar.x1) - sx(bar.x0) - 2), y: top, height: Math.max(0, height - PAD.bottom - top) }));
  }
  for (const line of hlines) {
    root.append(svg("line", { class: line.cls ?? "limit", x1: PAD.left, x2: width - PAD.right, y1: sy(line.y), y2: sy(line.y) }));
    if (line.text) root.append(svg("text", { x: width - PAD.right - 2, y: sy(line.y) - 3, "text-anchor": "end" }, line.text));
  }
  for (const line of lines) {
    if (line.points.length === 0) continue;
    const d = line.points.map(([px, py], i) => `${i ? "L" : "M"}${sx(px).toFixed(1)},${sy(py).toFixed(1)}`).join("");
    root.append(svg("path", { class: line.cls ?? "curve", d }));
  }
  return root;
}
