/** Display formats and level arithmetic shared by the views. */

export function dbToGain(db) {
  return 10 ** (db / 20);
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatTime(seconds) {
  const total = Math.max(0, Math.floor(Number(seconds) || 0));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** Signed decibels, or an em dash for a missing value. */
export function formatDb(db, unit = "dB", digits = 1) {
  if (db === null || db === undefined || !Number.isFinite(db)) return "—";
  const sign = db > 0 ? "+" : db < 0 ? "−" : "";
  return `${sign}${Math.abs(db).toFixed(digits)} ${unit}`;
}

/** A level such as LUFS or dBTP (no plus sign), or an em dash. */
export function formatLevel(value, unit, digits = 1) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${value < 0 ? "−" : ""}${Math.abs(value).toFixed(digits)} ${unit}`;
}

export function formatMb(mb) {
  if (!Number.isFinite(mb)) return "—";
  return mb >= 100 ? `${mb.toFixed(0)} MB` : `${mb.toFixed(1)} MB`;
}

export function formatPercent(ratio, digits = 1) {
  if (!Number.isFinite(ratio)) return "—";
  return `${(ratio * 100).toFixed(digits)} %`;
}

export function formatMs(ms) {
  if (!Number.isFinite(ms)) return "—";
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  return ms >= 1 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`;
}
