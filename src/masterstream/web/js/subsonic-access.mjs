/**
 * Settings' "Subsonic apps" (GET/PUT/DELETE /api/me/subsonic): enabling shows the
 * generated password once, with the server URL and the user name to type into the app;
 * disabling turns Subsonic sign-in off for this account.
 */

import { optionalJSON, sendJSON } from "./api.mjs";
import { h, mount } from "./dom.mjs";
import { Message, run, shownOnce } from "./forms.mjs";

const URL_PATH = "/api/me/subsonic";

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
      state = await optionalJSON(URL_PATH);
    } catch (error) {
      mount(this.body);
      this.message.error(error);
      return;
    }
    this.render(state);
  }

  /** The app's connection details: where, who, and (just enabled) the password. */
  details(username, password = null) {
    const rows = [["Server", location.origin], ["Username", username]];
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
          const enabled = await sendJSON("PUT", URL_PATH, { password: null });
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
        await sendJSON("DELETE", URL_PATH);
        this.render({ enabled: false, username: state.username });
        return "Subsonic access disabled.";
      }) }, "Disable Subsonic access"));
  }
}
