/** A small reader of the Prometheus text format (what GET /metrics answers). */

const NUMBER = String.raw`[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|Inf|NaN)`;
const SAMPLE = new RegExp(String.raw`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(${NUMBER})(\s|$)`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function unescape(value) {
  return value.replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
}

/** Every sample: [{name, labels, value}]; comments, blank and malformed lines are skipped. */
export function parsePrometheus(text) {
  const samples = [];
  for (const line of String(text).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const labels = {};
    for (const [, key, value] of (match[3] ?? "").matchAll(LABEL)) labels[key] = unescape(value);
    const value = Number(match[4] === "+Inf" ? Infinity : match[4] === "-Inf" ? -Infinity : match[4]);
    samples.push({ name: match[1], labels, value });
  }
  return samples;
}

/** The sum of the samples called `name` whose labels include `where` (0 when none). */
export function metricValue(samples, name, where = {}) {
  let total = 0;
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (Object.entries(where).every(([k, v]) => sample.labels[k] === v)) total += sample.value;
  }
  return total;
}

/** `name`'s samples keyed by the value of `label`. */
export function metricByLabel(samples, name, label) {
  const out = {};
  for (const sample of samples) {
    if (sample.name === name && label in sample.labels) out[sample.labels[label]] = sample.value;
  }
  return out;
}
