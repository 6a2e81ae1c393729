/**
 * What the chunk formats cost, measured on what the player fetched: bytes per minute of
 * audio per format, against the source as 16-bit PCM and against FLAC when FLAC was
 * played too. Shown under Settings › Quality, so the data a lossy format saves is seen.
 */

import { formatKey } from "./api.mjs";
import { h, mount } from "./dom.mjs";

/** Add one fetched chunk (`bytes` for `seconds` of `track`) to `usage` under `key`. */
export function recordUse(usage, key, { bytes, seconds, track }) {
  if (!usage.has(key)) usage.set(key, { bytes: 0, seconds: 0, pcmBytes: 0 });
  const use = usage.get(key);
  use.bytes += bytes;
  use.seconds += seconds;
  use.pcmBytes += seconds * track.sample_rate * (track.channels ?? 2) * 2;
}

/** Megabytes (10^6 bytes) per minute of audio, or null before any audio was fetched. */
export function mbPerMinute(bytes, seconds) {
  return seconds > 0 ? (bytes * 60) / seconds / 1e6 : null;
}

/** One line per format played (in the order of `formats`): its MB per minute and how much
 * less that is than 16-bit PCM and than FLAC (null when FLAC was not played). */
export function useRows(usage, formats) {
  const flac = usage.get("flac");
  const flacRate = flac ? flac.bytes / flac.seconds : null;
  const rows = [];
  for (const format of formats) {
    const use = usage.get(formatKey(format));
    if (!use || use.seconds <= 0) continue;
    const rate = use.bytes / use.seconds;
    rows.push({
      key: formatKey(format),
      label: format.label,
      mbPerMinute: mbPerMinute(use.bytes, use.seconds),
      savedVsPcm: 1 - use.bytes / use.pcmBytes,
      savedVsFlac: flacRate && !format.lossless ? 1 - rate / flacRate : null,
    });
  }
  return rows;
}

function describe(row) {
  const parts = [`${row.label}: ${row.mbPerMinute.toFixed(2)} MB per minute`];
  parts.push(`${Math.round(row.savedVsPcm * 100)} % less than 16-bit PCM`);
  if (row.savedVsFlac !== null) parts.push(`${Math.round(row.savedVsFlac * 100)} % less than FLAC`);
  return parts.join(", ");
}

/** The measured data use, kept current as chunks arrive. */
export class DataUseView {
  constructor({ player, formats }) {
    this.element = h("div", { id: "data-use", "aria-live": "polite" });
    const render = () => {
      const rows = useRows(player.loader.usage, formats);
      mount(this.element, rows.length === 0
        ? h("p", { class: "note", text: "Data use per format appears here once chunks have played." })
        : h("ul", { class: "note" }, rows.map((row) => h("li", { dataset: { format: row.key }, text: describe(row) }))));
    };
    player.addEventListener("usage", render);
    render();
  }
}
