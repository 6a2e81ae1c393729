/**
 * The Users page (admins): every account with its role and creation date; add a user,
 * change a role, reset a password, remove an account after a confirmation. What the
 * server refuses (the last admin, a taken name) is shown with its problem detail.
 */

import { getJSON, sendJSON, serverUrl } from "./api.mjs";
import { $, h, mount } from "./dom.mjs";
import { Message, actionForm, choice, field, run, table, when } from "./forms.mjs";
import { loadSession } from "./signin.mjs";

const ROLES = [["user", "User"], ["admin", "Admin"]];

export class UsersView {
  constructor({ account }) {
    this.account = account;
    this.message = new Message();
    this.list = h("div", {});
    const name = field("Name", { id: "new-user-name", autocomplete: "off", autocapitalize: "none" });
    const password = field("Password", { id: "new-user-password", type: "password", autocomplete: "new-password" });
    const role = choice("Role", ROLES, { id: "new-user-role" });
    const add = actionForm({ class: "settings-form inline", "aria-labelledby": "add-user-title" },
      [name.element, password.element, role.element, h("button", { type: "submit", class: "primary" }, "Add user")],
      async () => {
        if (!name.input.value.trim() || !password.input.value) throw new Error("Enter a name and a password.");
        const user = await sendJSON("POST", serverUrl("/api/users"), { name: name.input.value.trim(), password: password.input.value, role: role.input.value });
        name.input.value = "";
        password.input.value = "";
        await this.load();
        return `User ${user.name} added (${user.role}).`;
      });
    mount($("users"),
      h("section", { class: "panel", "aria-labelledby": "users-list-title" },
        h("h2", { id: "users-list-title", text: "Accounts" }), this.list, this.message.element),
      h("section", { class: "panel", "aria-labelledby": "add-user-title" },
        h("h2", { id: "add-user-title", text: "Add a user" }), add,
        h("p", { class: "note", text: "Admins manage users and the cache; users listen and keep their own settings and keys." })));
  }

  async load() {
    if (!this.account.admin) {
      mount(this.list, h("p", { role: "alert", text: "Only admins manage users." }));
      return;
    }
    try {
      const users = await getJSON(serverUrl("/api/users"));
      mount(this.list, table("Users", ["Name", "Role", "Created", "Password", ""], users.map((user) => this.row(user))));
    } catch (error) {
      this.message.error(error);
    }
  }

  row(user) {
    const tr = h("tr", { dataset: { user: user.name } });
    const act = (action) => run(tr, this.message, action);
    const role = h("select", { "aria-label": `Role of ${user.name}` }, ROLES.map(([value, text]) => h("option", { value, text })));
    role.value = user.role;
    role.addEventListener("change", () => act(async () => {
      try {
        const changed = await sendJSON("PATCH", serverUrl(`/api/users/${encodeURIComponent(user.name)}`), { role: role.value });
        if (changed.id === this.account.user?.id) this.account.update(await loadSession());
        return `${changed.name} is now ${changed.role === "admin" ? "an admin" : "a user"}.`;
      } catch (error) {
        role.value = user.role;
        throw error;
      }
    }));
    const password = h("input", { type: "password", autocomplete: "new-password", "aria-label": `New password for ${user.name}` });
    const reset = h("button", { type: "button", class: "small" }, "Reset password");
    reset.addEventListener("click", () => act(async () => {
      if (!password.value) throw new Error(`Enter a new password for ${user.name}.`);
      await sendJSON("PATCH", serverUrl(`/api/users/${encodeURIComponent(user.name)}`), { password: password.value });
      password.value = "";
      return `${user.name}'s password was reset; their sessions have ended.`;
    }));
    const remove = h("button", { type: "button", class: "small danger", "aria-describedby": `user-${user.id}` }, "Remove");
    remove.addEventListener("click", () => act(async () => {
      if (!confirm(`Remove the account ${user.name}, with its settings and API keys?`)) return null;
      await sendJSON("DELETE", serverUrl(`/api/users/${encodeURIComponent(user.name)}`));
      await this.load();
      return `User ${user.name} removed.`;
    }));
    const self = user.name === this.account.user?.name;
    return mount(tr,
      h("th", { scope: "row", id: `user-${user.id}` }, user.name, self ? h("span", { class: "muted", text: " (you)" }) : null),
      h("td", {}, role), h("td", { text: when(user.created_at) }),
      h("td", {}, h("div", { class: "secret-row" }, password, reset)), h("td", {}, remove));
  }
}
