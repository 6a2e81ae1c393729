/**
 * The pages shown instead of the app when nobody is signed in: "Sign in", "Create the
 * first admin account" (a loopback visitor of a server without users), and the page that
 * says to create a user with the CLI (anyone else, while there is none). Each form shows
 * the server's problem detail inline (wrong credentials, throttled sign-ins with the
 * time to wait).
 */

import { getJSON, sendJSON, serverUrl } from "./api.mjs";
import { $, h, mount } from "./dom.mjs";
import { actionForm, field } from "./forms.mjs";

export const CLI_COMMAND = "masterstream user add NAME --admin --password-stdin";

/** The session as GET /api/session describes it. */
export function loadSession() {
  return getJSON(serverUrl("/api/session"));
}

/** The problem's slug (the last part of its type URI). */
export function slugOf(problem) {
  return String(problem?.type ?? "").split("/").pop();
}

function passwordPair() {
  const password = field("Password", { type: "password", autocomplete: "new-password", required: true });
  const confirm = field("Confirm password", { type: "password", autocomplete: "new-password", required: true });
  return { password, confirm };
}

/** Throws when the two password fields differ or are empty. */
export function checkedPassword({ password, confirm }) {
  const value = password.input.value;
  if (!value) throw new Error("Enter a password.");
  if (value !== confirm.input.value) throw new Error("The passwords do not match.");
  return value;
}

/** The signed-out pages, in `#view-auth`; the rest of the app is hidden meanwhile. */
export class AuthPages {
  constructor(root = $("view-auth")) {
    this.root = root;
    this.returnTo = "";
  }

  show(route) {
    if (document.body.dataset.auth !== "signed-out") {
      this.returnTo = location.hash && location.hash !== `#/${route}` ? location.hash : "";
    }
    document.body.dataset.auth = "signed-out";
    this.root.hidden = false;
    history.replaceState(null, "", `#/${route}`);
  }

  hide() {
    this.root.hidden = true;
    mount(this.root);
    delete document.body.dataset.auth;
    history.replaceState(null, "", this.returnTo || "#/library");
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  }

  /** The sign-in form; resolves with the new session once the server accepts it. */
  signIn(notice = "") {
    this.show("signin");
    return new Promise((resolve) => {
      const name = field("Name", { autocomplete: "username", required: true, autocapitalize: "none" });
      const password = field("Password", { type: "password", autocomplete: "current-password", required: true });
      const form = actionForm({ class: "auth-form", "aria-labelledby": "signin-title" },
        [name.element, password.element, h("button", { type: "submit", class: "primary" }, "Sign in")],
        async () => {
          if (!name.input.value.trim() || !password.input.value) throw new Error("Enter your name and password.");
          await sendJSON("POST", serverUrl("/api/session"), { name: name.input.value.trim(), password: password.input.value });
          password.input.value = "";
          resolve(await loadSession());
          return "Signed in.";
        });
      mount(this.root, h("div", { class: "auth-card panel" },
        h("h1", { id: "signin-title", tabindex: "-1" }, "Sign in"),
        notice ? h("p", { class: "auth-notice", role: "status", text: notice }) : null,
        form));
      name.input.focus();
    });
  }

  /** Create the first admin (loopback, no user yet); resolves with the new session. */
  setup() {
    this.show("setup");
    return new Promise((resolve) => {
      const name = field("Name", { autocomplete: "username", required: true, autocapitalize: "none" });
      const pair = passwordPair();
      const form = actionForm({ class: "auth-form", "aria-labelledby": "setup-title" },
        [name.element, pair.password.element, pair.confirm.element,
          h("button", { type: "submit", class: "primary" }, "Create admin account")],
        async () => {
          if (!name.input.value.trim()) throw new Error("Enter a name.");
          const password = checkedPassword(pair);
          await sendJSON("POST", serverUrl("/api/setup"), { name: name.input.value.trim(), password });
          resolve(await loadSession());
          return "Account created.";
        });
      mount(this.root, h("div", { class: "auth-card panel" },
        h("h1", { id: "setup-title", tabindex: "-1" }, "Create the first admin account"),
        h("p", { text: "This server has no account yet. The first one is an admin: it can add other users. Once it exists, everyone signs in, on this machine too." }),
        form,
        h("p", { class: "note" }, h("a", { href: "#/library", onclick: () => this.hide() }, "Not now: back to the library"))));
      name.input.focus();
    });
  }

  /** No user yet and this visitor is not on the server's machine: only the CLI helps. */
  cliOnly(detail = "") {
    this.show("setup");
    mount(this.root, h("div", { class: "auth-card panel" },
      h("h1", { text: "Create a user first" }),
      h("p", { text: "This server has no account yet, so it answers only on its own machine. Create the first admin there:" }),
      h("pre", { class: "command" }, h("code", { text: `echo 'a long password' | ${CLI_COMMAND}` })),
      h("p", { text: "or open the web app on that machine (at its loopback address, 127.0.0.1) and create it there. Then reload this page and sign in." }),
      detail ? h("p", { class: "note", text: `The server said: ${detail}` }) : null));
  }
}
