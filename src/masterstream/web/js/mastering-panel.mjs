/**
 * The Mastering panel: the playing track's fingerprint in readable form, the preset's
 * chain drawn as what it does (EQ curve, compressor transfer curve, limiter ceiling, with
 * the adaptive preset's track-specific values) and the loudness figures before and after,
 * all from GET /api/tracks/{id}/mastering (nothing is analysed here). While the server is
 * still measuring the mastered output (`measuring`), the panel asks again shortly and then
 * shows the measured figures.
 */

import { plot, ticks, yRange } from "./charts.mjs";
import { $, h, mount } from "./dom.mjs";
import { formatDb, formatLevel } from "./format.mjs";

const BAND_LABELS = { sub: "sub", bass: "bass", low_mid: "lo-mid", mid: "mid", high_mid: "hi-mid", presence: "pres.", brilliance: "air" };
const RETRY_UNANALYSED_MS = 5000;
const RETRY_MEASURING_MS = 1500;
const FREQ_TICKS = [[50, "50"], [100, "100"], [500, "500"], [1000, "1k"], [5000, "5k"], [10000, "10k"]];

/** Output level of a soft-knee compressor for input level `x` (dB). */
export function compressorCurve(x, { threshold_dbfs: t, ratio: r, knee_db: w }) {
  if (w > 0 && Math.abs(x - t) <= w / 2) return x + ((1 / r - 1) * (x - t + w / 2) ** 2) / (2 * w);
  return x > t ? t + (x - t) / r : x;
}

function kv(pairs) {
  return h("dl", { class: "kv" }, pairs.flatMap(([k, v]) => [h("dt", { text: k }), h("dd", { text: v })]));
}

export class MasteringPanel {
  constructor({ player, onView }) {
    this.player = player;
    this.onView = onView;
    this.token = 0;
    for (const type of ["trackchange", "variant"]) player.addEventListener(type, () => this.load());
  }

  async load({ again = false } = {}) {
    const { player } = this;
    const track = player.currentTrack;
    const token = ++this.token;
    if (!track) return;
    if (!again) mount($("mastering"), h("p", { class: "muted", text: `Reading the ${player.variant.preset} plan for ${track.title}…` }));
    try {
      const view = await player.loader.mastering(track, player.variant);
      if (token !== this.token) return;
      this.render(track, view);
      this.onView?.(view);
      if (view.fingerprint === null) {
        setTimeout(() => token === this.token && this.load(), RETRY_UNANALYSED_MS);
      } else if (view.measuring) {
        setTimeout(() => token === this.token && this.load({ again: true }), RETRY_MEASURING_MS);
      }
    } catch (error) {
      if (token !== this.token) return;
      mount($("mastering"), h("p", { class: "muted", text: `No mastering view: ${error.detail ?? error.message}` }));
      this.onView?.(null);
    }
  }

  render(track, view) {
    const fp = view.fingerprint;
    const parts = [h("p", { class: "muted", text: `${track.title}: ${view.preset} at intensity ${view.intensity.toFixed(2)}` })];
    if (fp) parts.push(h("h3", { text: "Fingerprint" }), this.tonalBalance(fp), kv([
      ["Loudness", formatLevel(fp.integrated_lufs, "LUFS")],
      ["Loudness range", formatLevel(fp.loudness_range_lu, "LU")],
      ["True peak", formatLevel(fp.true_peak_dbtp, "dBTP")],
      ["Crest factor", formatLevel(fp.crest_factor_db, "dB")],
      ["Stereo width", `${(fp.stereo_width * 100).toFixed(0)} % (correlation ${fp.phase_correlation.toFixed(2)})`],
      ["Tempo", fp.tempo_bpm > 0 ? `${fp.tempo_bpm.toFixed(0)} BPM` : "no steady beat"],
      ["Transients", `${fp.transient_density_per_s.toFixed(1)} per second`],
      ["Brightness", `centroid ${fp.spectral_centroid_hz.toFixed(0)} Hz, tilt ${fp.spectral_tilt_db_per_octave.toFixed(1)} dB/oct`],
    ]));
    parts.push(h("h3", { text: "Chain" }));
    if (view.passthrough) parts.push(h("p", { text: "The original: no processing, no gain." }));
    else parts.push(this.eq(view), this.dynamics(view));
    parts.push(h("h3", { text: "Before and after" }), this.figures(view));
    for (const note of view.notes) parts.push(h("p", { class: "note", text: `• ${note}` }));
    mount($("mastering"), parts);
  }

  tonalBalance(fp) {
    const bands = fp.tonal_balance;
    const values = bands.map((b) => b.share * 100);
    return plot({
      height: 110, label: "Tonal balance: share of energy per band",
      x: { min: 0, max: bands.length }, y: { min: 0, max: Math.max(...values, 1) * 1.1 },
      bars: bands.map((b, i) => ({ x0: i, x1: i + 1, y: b.share * 100 })),
      xTicks: bands.map((b, i) => ({ v: i + 0.5, text: BAND_LABELS[b.name] ?? b.name })),
      yTicks: ticks(0, Math.max(...values, 1), 3).map((v) => ({ v, text: `${v}%` })),
    });
  }

  eq(view) {
    const full = view.eq_curve.map((p) => [p.frequency_hz, p.gain_db]);
    const heard = view.eq_curve.map((p) => [p.frequency_hz, p.blended_gain_db]);
    const range = yRange([...full, ...heard].map((p) => p[1]), { minSpan: 6 });
    const y = { min: Math.min(range.min, -3), max: Math.max(range.max, 3) };
    const bands = view.eq_bands.map((b) => `${b.kind.replace("_", " ")} ${b.frequency_hz} Hz ${formatDb(b.gain_db)}`);
    return h("div", {},
      plot({
        label: "EQ curve", x: { min: 20, max: 20000, log: true }, y,
        lines: [{ points: full, cls: "curve" }, { points: heard, cls: "curve alt" }],
        hlines: [{ y: 0, cls: "axis" }],
        xTicks: FREQ_TICKS.map(([v, text]) => ({ v, text })),
        yTicks: ticks(y.min, y.max, 4).map((v) => ({ v, text: `${v}` })),
      }),
      h("p", { class: "note", text: `EQ (dB; dashed: as heard at intensity ${view.intensity.toFixed(2)}): ${bands.join("; ")}` }));
  }

  dynamics(view) {
    const c = view.compressor;
    const ceiling = view.limiter?.ceiling_dbtp;
    const xs = Array.from({ length: 61 }, (_, i) => -60 + i);
    const chart = c ? plot({
      height: 120, label: "Compressor transfer curve",
      x: { min: -60, max: 0 }, y: { min: -60, max: 0 },
      lines: [{ points: xs.map((x) => [x, x]), cls: "curve alt" }, { points: xs.map((x) => [x, compressorCurve(x, c)]), cls: "curve" }],
      hlines: ceiling === undefined ? [] : [{ y: ceiling, cls: "ceiling", text: `ceiling ${ceiling.toFixed(1)} dBTP` }],
      xTicks: [-60, -40, -20, 0].map((v) => ({ v, text: `${v}` })),
      yTicks: [-60, -40, -20, 0].map((v) => ({ v, text: `${v}` })),
    }) : null;
    return h("div", {}, chart, kv([
      ["Compressor", c ? `${c.ratio.toFixed(2)}:1 above ${formatLevel(c.threshold_dbfs, "dBFS")}, knee ${c.knee_db} dB, attack ${c.attack_ms} ms, release ${c.release_ms} ms` : "none"],
      ["Transients", view.transients ? `+${view.transients.amount} dB/dB, at most ${view.transients.max_boost_db} dB` : "untouched"],
      ["Loudness gain", formatDb(view.loudness_gain_db)],
      ["Limiter", ceiling === undefined ? "none" : `ceiling ${formatLevel(ceiling, "dBTP")}, look-ahead ${view.limiter.lookahead_ms} ms`],
    ]));
  }

  figures(view) {
    const row = (label, key, unit) => {
      const after = view.after[key];
      const mark = view.after.estimated.includes(key) ? (key === "true_peak_dbtp" ? " (at most)" : " (est.)") : "";
      const missing = view.measuring ? "measuring…" : "not measured";
      return [h("span", { text: label }), h("span", { text: formatLevel(view.before[key], unit) }),
        h("span", { text: after === null ? missing : `${formatLevel(after, unit)}${mark}` })];
    };
    const match = view.level_match;
    return h("div", {},
      h("div", { class: "mastering-figures" },
        h("span", { class: "head" }, ""), h("span", { class: "head" }, "original"), h("span", { class: "head" }, "mastered"),
        row("Integrated", "integrated_lufs", "LUFS"), row("Range", "loudness_range_lu", "LU"),
        row("True peak", "true_peak_dbtp", "dBTP"), row("Crest", "crest_factor_db", "dB")),
      h("p", { class: "note", text: match.original_lufs === null
        ? "Compare cannot match levels until the track is analysed (it plays the original as is)."
        : `Compare plays the original at ${formatDb(match.original_gain_db)} so both sound equally loud.` }));
  }
}
