/**
 * The account's parts of Settings: listening defaults (preset, intensity, format and a
 * bitrate that format offers) and the password change.
 */

import { getJSON, sendJSON, serverUrl } from "./api.mjs";
import { h, mount } from "./dom.mjs";
import { bitrateFor, formatChoices, settingsBody } from "./defaults.mjs";
import { Message, actionForm, choice, field } from "./forms.mjs";
import { checkedPassword } from "./signin.mjs";

const LOUDNESS = [["track", "Each track on the preset's target"], ["album", "Albums on the target, their tracks' differences kept"]];

/** "Listening defaults": GET/PUT /api/me/settings; `onSaved(settings)` after a save. */
export class DefaultsSection {
  constructor({ presets, onSaved }) {
    this.presets = presets;
    this.onSaved = onSaved;
    this.message = new Message();
    this.body = h("div", {}, h("p", { class: "muted", text: "Loading…" }));
    this.element = h("section", { class: "panel", "aria-labelledby": "defaults-title" },
      h("h2", { id: "defaults-title", text: "Listening defaults" }), this.body);
  }

  async load() {
    try {
      const [settings, formats] = await Promise.all([getJSON(serverUrl("/api/me/settings")), getJSON(serverUrl("/api/formats"))]);
      this.render(settings, formatChoices(formats));
    } catch (error) {
      mount(this.body, this.message.element);
      this.message.error(error);
    }
  }

  render(settings, choices) {
    const preset = choice("Default preset", [["", "Server default"], ...this.presets.map((p) => [p.name, p.name])], { id: "default-preset" });
    preset.input.value = settings.default_preset ?? "";
    const intensity = field("Default intensity", { type: "range", min: "0", max: "1", step: "0.01", id: "default-intensity" });
    intensity.input.value = String(settings.default_intensity);
    const shown = h("output", { for: "default-intensity", text: Number(settings.default_intensity).toFixed(2) });
    intensity.input.addEventListener("input", () => { shown.textContent = Number(intensity.input.value).toFixed(2); });
    intensity.element.append(shown);
    const format = choice("Default format", choices.map((c) => [c.name, c.label]), { id: "default-format" });
    format.input.value = settings.default_format;
    const bitrate = choice("Bitrate", [], { id: "default-bitrate" });
    const fillBitrates = (wanted) => {
      const current = choices.find((c) => c.name === format.input.value);
      mount(bitrate.input, (current?.bitrates ?? []).map((b) => h("option", { value: String(b), text: `${b} kbit/s` })));
      bitrate.element.hidden = !current || current.bitrates.length === 0;
      const keep = bitrateFor(choices, format.input.value, wanted);
      if (keep !== null) bitrate.input.value = String(keep);
    };
    format.input.addEventListener("change", () => fillBitrates(Number(bitrate.input.value)));
    fillBitrates(settings.default_bitrate_kbps);
    const loudness = "default_loudness" in settings ? choice("Default loudness", LOUDNESS, { id: "default-loudness" }) : null;
    if (loudness) loudness.input.value = settings.default_loudness;
    const form = actionForm({ "aria-labelledby": "defaults-title", class: "settings-form" },
      [preset.element, intensity.element, loudness?.element, format.element, bitrate.element,
        h("button", { type: "submit", class: "primary" }, "Save defaults")],
      async () => {
        const body = settingsBody({ preset: preset.input.value, intensity: intensity.input.value,
          format: format.input.value, bitrate: bitrate.input.value, loudness: loudness?.input.value }, choices);
        const saved = await sendJSON("PUT", serverUrl("/api/me/settings"), body);
        this.onSaved?.(saved);
        return "Defaults saved: the player uses them from the next track.";
      }, this.message);
    mount(this.body, h("p", { class: "note", text: "What the player and your Subsonic apps start new tracks with. This player takes a WAV or original-file default as FLAC: the same sound in fewer bytes." }), form);
  }
}

/** "Password": POST /api/me/password (current + new + confirm). The server ends every
 * session of the account, this one too, so this browser signs in again with the new one. */
export class PasswordSection {
  constructor({ name }) {
    const current = field("Current password", { type: "password", autocomplete: "current-password", id: "current-password" });
    const password = field("New password", { type: "password", autocomplete: "new-password", id: "new-password" });
    const confirm = field("Confirm new password", { type: "password", autocomplete: "new-password", id: "confirm-password" });
    const form = actionForm({ "aria-labelledby": "password-title", class: "settings-form" },
      [current.element, password.element, confirm.element, h("button", { type: "submit" }, "Change password")],
      async () => {
        if (!current.input.value) throw new Error("Enter your current password.");
        const next = checkedPassword({ password, confirm });
        await sendJSON("POST", serverUrl("/api/me/password"), { current_password: current.input.value, new_password: next });
        for (const input of [current, password, confirm]) input.input.value = "";
        await sendJSON("POST", serverUrl("/api/session"), { name, password: next });
        return "Password changed. Your other sessions have ended.";
      });
    this.element = h("section", { class: "panel", "aria-labelledby": "password-title" },
      h("h2", { id: "password-title", text: "Password" }), form);
  }
}
