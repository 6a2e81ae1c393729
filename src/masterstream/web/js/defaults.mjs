/**
 * A user's listening defaults (GET/PUT /api/me/settings) as the Settings page edits them
 * and the player applies them: the formats and bitrates come from GET /api/formats, so a
 * default is always one the server can stream. No DOM here.
 */

export const RAW = { name: "raw", label: "Original file (untouched; Subsonic apps)", bitrates: [], defaultBitrate: null };

/** The formats a default may name: what /api/formats lists, then the original file. */
export function formatChoices(body) {
  const listed = Array.isArray(body) ? body : body?.formats ?? [];
  const choices = [];
  for (const entry of listed) {
    const name = typeof entry === "string" ? entry : entry?.name;
    if (!name) continue;
    const bitrates = (entry?.bitrates_kbps ?? []).filter(Number.isInteger);
    const lossy = entry?.lossy === true;
    choices.push({
      name, bitrates, defaultBitrate: entry?.default_bitrate_kbps ?? bitrates[0] ?? null,
      label: lossy ? name.toUpperCase() : `${name.toUpperCase()} (lossless)`,
    });
  }
  return [...choices, RAW];
}

/** The bitrate to keep for `format`: `wanted` when the format offers it, else its
 * default; null for a format without bitrates. */
export function bitrateFor(choices, format, wanted) {
  const choice = choices.find((c) => c.name === format);
  if (!choice || choice.bitrates.length === 0) return null;
  return choice.bitrates.includes(wanted) ? wanted : choice.defaultBitrate;
}

/** The body of PUT /api/me/settings from the form's values (strings from the DOM; no
 * loudness when the server has no such setting). */
export function settingsBody({ preset, intensity, format, bitrate, loudness }, choices) {
  const value = Number(intensity);
  const body = {
    default_preset: preset || null,
    default_intensity: Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 1,
    default_format: format,
    default_bitrate_kbps: bitrateFor(choices, format, Number(bitrate)),
  };
  if (loudness) body.default_loudness = loudness;
  return body;
}

/** The preset and intensity the player takes from `settings` (the server's default preset
 * when none is set, or when the set one is gone). */
export function variantOf(settings, presetNames, fallback = "adaptive") {
  const preset = presetNames.includes(settings?.default_preset) ? settings.default_preset : fallback;
  const intensity = Number(settings?.default_intensity);
  return { preset, intensity: Number.isFinite(intensity) ? Math.min(1, Math.max(0, intensity)) : 1 };
}

/** Lossless defaults the player takes as FLAC: WAV is the same samples in more bytes, and
 * the original file ("raw", for Subsonic apps) does not come in chunks. */
const PLAYED_AS_FLAC = new Set(["wav", "raw"]);

/** The player's format key (see api.mjs formatKey) for `settings`. */
export function formatKeyOf(settings) {
  const name = settings?.default_format ?? "flac";
  if (PLAYED_AS_FLAC.has(name)) return "flac";
  const bitrate = settings?.default_bitrate_kbps;
  return bitrate ? `${name}@${bitrate}` : name;
}
