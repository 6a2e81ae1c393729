/**
 * The Settings sections that let programs in as this user. "API keys": the account's keys
 * (label, first characters, created, last used), a new key shown once with a Copy button,
 * revoking one after a confirmation. "Subsonic apps" (GET/PUT/DELETE /api/me/subsonic):
 * enabling shows the generated password once, with the server URL and the user name to
 * type into the app; disabling turns Subsonic sign-in off for this account.
 */

import { getJSON, optionalJSON, rootPath, sendJSON, serverUrl } from "./api.mjs";
import { h, mount } from "./dom.mjs";
import { Message, actionForm, field, run, shownOnce, table, when } from "./forms.mjs";

export class ApiKeysSection {
  constructor() {
    this.message = new Message();
    this.list = h("div", {});
    this.created = h("div", {});
    const label = field("Label", { id: "key-label", maxlength: "100", placeholder: "e.g. laptop scripts" });
    const form = actionForm({ class: "settings-form inline", "aria-label": "New API key" },
      [label.element, h("button", { type: "submit" }, "Create API key")],
      async () => {
        const key = await sendJSON("POST", serverUrl("/api/me/keys"), { label: label.input.value.trim() });
        label.input.value = "";
        mount(this.created, shownOnce(`New API key ${key.label || key.prefix}`, key.key,
          "Copy this key now: it is shown only this once. Programs send it as 'Authorization: Bearer <key>'."));
        await this.load();
        return `Key “${key.label || key.prefix}” created.`;
      }, this.message);
    this.element = h("section", { class: "panel", "aria-labelledby": "keys-title" },
      h("h2", { id: "keys-title", text: "API keys" }),
      h("p", { class: "note", text: "Keys let programs use the API as you, without your password." }),
      this.list, form, this.created);
  }

  async load() {
    let keys;
    try {
      keys = await getJSON(serverUrl("/api/me/keys"));
    } catch (error) {
      this.message.error(error);
      return;
    }
    if (keys.length === 0) {
      mount(this.list, h("p", { class: "muted", text: "No API keys." }));
      return;
    }
    const row = (key) => h("tr", {},
      h("td", { text: key.label || "(no label)" }), h("td", {}, h("code", { text: `${key.prefix}…` })),
      h("td", { text: when(key.created_at) }), h("td", { text: when(key.last_used_at) }),
      h("td", {}, h("button", { type: "button", class: "small danger", "aria-describedby": `key-${key.id}`,
        onclick: (event) => this.revoke(key, event.currentTarget) }, "Revoke"),
      h("span", { id: `key-${key.id}`, class: "visually-hidden", text: `key ${key.label || key.prefix}` })));
    mount(this.list, table("API keys", ["Label", "Key", "Created", "Last used", ""], keys.map(row)));
  }

  revoke(key, button) {
    const name = key.label || key.prefix;
    if (!confirm(`Revoke the API key “${name}”? Programs using it stop working at once.`)) return;
    return run(button.closest("tr"), this.message, async () => {
      await sendJSON("DELETE", serverUrl(`/api/me/keys/${key.id}`));
      mount(this.created);
      await this.load();
      return `Key “${name}” revoked.`;
    });
  }
}

const SUBSONIC_URL = serverUrl("/api/me/subsonic");

export class SubsonicSection {
  constructor() {
    this.message = new Message();
    this.body = h("div", {}, h("p", { class: "muted", text: "Loading…" }));
    this.element = h("section", { class: "panel", "aria-labelledby": "subsonic-title" },
      h("h2", { id: "subsonic-title", text: "Subsonic apps" }), this.body, this.message.element);
  }

  async load() {
    let state;
    try {
      state = await optionalJSON(SUBSONIC_URL);
    } catch (error) {
      mount(this.body);
      this.message.error(error);
      return;
    }
    this.render(state);
  }

  /** The app's connection details: where, who, and (just enabled) the password. */
  details(username, password = null) {
    const rows = [["Server", location.origin + rootPath()], ["Username", username]];
    return h("div", {},
      h("dl", { class: "kv connection-details" }, rows.flatMap(([k, v]) => [h("dt", { text: k }), h("dd", {}, h("code", { text: v }))])),
      password ? shownOnce("Subsonic password", password,
        "Type this password into the app now: it is shown only this once. Disable and enable again for a new one.") : null);
  }

  render(state, password = null) {
    if (state === null) {
      mount(this.body, h("p", { class: "muted", text: "This server does not offer Subsonic access yet." }));
      return;
    }
    const act = (action) => run(this.element, this.message, action);
    if (!state.enabled) {
      mount(this.body,
        h("p", { class: "note", text: "Music apps that speak Subsonic (DSub, Symfonium, Feishin, Ultrasonic…) sign in with a password of their own, kept by the server in a form it can check app tokens with. Enable it only if you use such an app." }),
        h("button", { type: "button", onclick: () => act(async () => {
          const enabled = await sendJSON("PUT", SUBSONIC_URL, { password: null });
          this.render(enabled, enabled.password);
          return "Subsonic access enabled.";
        }) }, "Enable Subsonic access"));
      return;
    }
    mount(this.body,
      h("p", { text: "Subsonic access is on. In the app, add a server with:" }),
      this.details(state.username, password),
      h("button", { type: "button", class: "danger", onclick: () => act(async () => {
        if (!confirm("Disable Subsonic access? Apps signed in with its password stop working.")) return null;
        await sendJSON("DELETE", SUBSONIC_URL);
        this.render({ enabled: false, username: state.username });
        return "Subsonic access disabled.";
      }) }, "Disable Subsonic access"));
  }
}
