/**
 * Admin actions on the dashboard: warm a track, clear a track, clear everything. The admin
 * token (needed when the server runs with --admin-token) is asked for here and kept for
 * this browser session only; a 401 or 403 is shown as such, with the server's detail.
 */

import { adminCall, serverUrl } from "./api.mjs";
import { h } from "./dom.mjs";

const TOKEN_KEY = "masterstream:admin-token";

function sessionToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? "";
  } catch {
    return "";
  }
}

export class AdminPanel {
  constructor({ tracks, player }) {
    this.tracks = tracks;
    this.player = player;
    this.token = h("input", { type: "password", id: "admin-token", autocomplete: "off", value: sessionToken(), "aria-labelledby": "admin-token-label" });
    this.trackSelect = h("select", { id: "admin-track", "aria-labelledby": "admin-track-label" },
      [...tracks.values()].map((t) => h("option", { value: t.id }, t.title)));
    this.result = h("p", { class: "admin-result", id: "admin-result", role: "status" });
    const button = (text, action, cls = "") => h("button", { type: "button", class: cls, onclick: () => this.run(text, action) }, text);
    this.element = h("section", { class: "dash-card wide admin", "aria-label": "Admin actions" },
      h("h2", { text: "Admin" }),
      h("form", { onsubmit: (e) => e.preventDefault() },
        h("label", {}, h("span", { id: "admin-token-label" }, "Admin token"), this.token),
        h("label", {}, h("span", { id: "admin-track-label" }, "Track to warm or clear"), this.trackSelect),
        button("Warm track", () => this.warm()),
        button("Clear track", () => this.clearTrack(), "danger"),
        button("Clear all", () => this.clearAll(), "danger")),
      h("p", { class: "note", text: "The token is needed only when the server was started with --admin-token; it is kept for this browser session." }),
      this.result);
  }

  currentToken() {
    const token = this.token.value.trim();
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // session storage unavailable: the field still holds it
    }
    return token;
  }

  selectedTrack() {
    return this.tracks.get(Number(this.trackSelect.value));
  }

  warm() {
    const { preset, intensity } = this.player.variant;
    const body = { track_id: this.selectedTrack().id, preset, intensity, format: this.player.format.name };
    return adminCall("POST", serverUrl("/api/cache/warm"), this.currentToken(), body).then(
      (r) => `Warming ${this.selectedTrack().title} (${r.preset}, ${r.total_chunks} chunks): ${r.status.replace("_", " ")}.`);
  }

  clearTrack() {
    const track = this.selectedTrack();
    return adminCall("DELETE", serverUrl(`/api/cache/tracks/${track.id}`), this.currentToken()).then(
      (r) => `Cleared ${track.title}: ${r.removed_entries} cached chunks removed.`);
  }

  clearAll() {
    if (!confirm("Delete every cached chunk in every tier?")) return Promise.resolve(null);
    return adminCall("POST", serverUrl("/api/cache/clear"), this.currentToken()).then(
      (r) => `Cleared the cache: ${r.removed_entries} chunks removed.`);
  }

  async run(label, action) {
    this.result.className = "admin-result";
    this.result.textContent = `${label}…`;
    try {
      const message = await action();
      if (message === null) {
        this.result.textContent = "";
        return;
      }
      this.result.className = "admin-result ok";
      this.result.textContent = message;
    } catch (error) {
      this.result.className = "admin-result error";
      const what = error.status === 401 ? "401 Unauthorized — enter the admin token"
        : error.status === 403 ? "403 Forbidden — the admin token is not valid"
        : `${error.status ?? ""} ${error.title ?? "Error"}`;
      this.result.textContent = `${label} failed: ${what}. ${error.detail ?? ""}`;
    }
  }
}
