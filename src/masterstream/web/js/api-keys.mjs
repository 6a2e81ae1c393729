/**
 * Settings' "API keys": the account's keys (label, first characters, created, last used),
 * a new key shown once with a Copy button, and revoking one after a confirmation.
 */

import { getJSON, sendJSON } from "./api.mjs";
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
        const key = await sendJSON("POST", "/api/me/keys", { label: label.input.value.trim() });
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
      keys = await getJSON("/api/me/keys");
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
      await sendJSON("DELETE", `/api/me/keys/${key.id}`);
      mount(this.created);
      await this.load();
      return `Key “${name}” revoked.`;
    });
  }
}
