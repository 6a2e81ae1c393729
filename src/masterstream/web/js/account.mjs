/**
 * Who is signed in (the answer of GET /api/session) and the header's account menu: the
 * user's name opens Settings, Users (admins only) and Sign out. On a server without users,
 * a loopback visitor is offered to create the first admin account instead.
 */

import { sendJSON, serverUrl } from "./api.mjs";
import { $, h, mount } from "./dom.mjs";

export class Account extends EventTarget {
  constructor(session) {
    super();
    this.session = session ?? {};
  }

  get user() {
    return this.session.user ?? null;
  }

  get admin() {
    return Boolean(this.session.admin);
  }

  /** Whether there is an account to keep settings and keys in. */
  get signedIn() {
    return Boolean(this.session.signed_in && this.user);
  }

  update(session) {
    this.session = session ?? {};
    this.dispatchEvent(new Event("change"));
  }

  /** End the session on the server (the cookie dies there too). */
  signOut() {
    return sendJSON("DELETE", serverUrl("/api/session"));
  }
}

/** The disclosure menu under the user's name, in `#account`. */
export class AccountMenu {
  constructor({ account, onSignOut }) {
    this.account = account;
    this.onSignOut = onSignOut;
    this.root = $("account");
    account.addEventListener("change", () => this.render());
    document.addEventListener("click", (event) => {
      if (!this.root.contains(event.target)) this.setOpen(false);
    });
    this.root.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !this.menu || this.menu.hidden) return;
      this.setOpen(false);
      this.button.focus();
    });
    this.render();
  }

  setOpen(open) {
    if (!this.menu) return;
    this.menu.hidden = !open;
    this.button.setAttribute("aria-expanded", String(open));
  }

  render() {
    const { account } = this;
    const settingsLink = document.querySelector('nav a[data-view="settings"]');
    if (settingsLink) settingsLink.hidden = account.signedIn;
    this.menu = null;
    if (!account.signedIn) {
      mount(this.root, account.session.setup_available
        ? h("a", { href: "#/setup", class: "setup-offer" }, "Create the first admin account")
        : null);
      return;
    }
    const close = () => this.setOpen(false);
    this.button = h("button", { type: "button", id: "account-button", "aria-expanded": "false", "aria-controls": "account-menu",
      onclick: () => this.setOpen(this.menu.hidden) }, account.user.name);
    this.menu = h("ul", { id: "account-menu", class: "account-menu", hidden: true },
      h("li", {}, h("a", { href: "#/settings", onclick: close }, "Settings")),
      account.admin ? h("li", {}, h("a", { href: "#/users", onclick: close }, "Users")) : null,
      h("li", {}, h("button", { type: "button", onclick: () => { close(); this.onSignOut(); } }, "Sign out")));
    mount(this.root, this.button, this.menu);
  }
}
