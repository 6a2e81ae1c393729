/**
 * Form pieces shared by the account pages: labelled fields, a message line (role=alert
 * for errors, role=status for success) and one way to run a form's action that shows the
 * server's problem detail when it fails.
 */

import { h } from "./dom.mjs";

let nextId = 0;

/** An `<input>` with its visible `<label>`; `attrs` go on the input. */
export function field(label, attrs = {}) {
  const id = attrs.id ?? `field-${++nextId}`;
  const input = h("input", { type: "text", ...attrs, id });
  return { input, element: h("div", { class: "field" }, h("label", { for: id, text: label }), input) };
}

/** A `<select>` of `[value, label]` options with its visible `<label>`. */
export function choice(label, options, attrs = {}) {
  const id = attrs.id ?? `field-${++nextId}`;
  const input = h("select", { ...attrs, id }, options.map(([value, text]) => h("option", { value, text })));
  return { input, element: h("div", { class: "field" }, h("label", { for: id, text: label }), input) };
}

/** Where a form says how its action went: errors are alerts, successes are status. */
export class Message {
  constructor() {
    this.alert = h("p", { class: "form-message error", role: "alert" });
    this.status = h("p", { class: "form-message ok", role: "status" });
    this.element = h("div", { class: "form-messages" }, this.alert, this.status);
  }

  clear() {
    this.alert.textContent = "";
    this.status.textContent = "";
  }

  error(error) {
    this.status.textContent = "";
    this.alert.textContent = describe(error);
  }

  ok(text) {
    this.alert.textContent = "";
    this.status.textContent = text;
  }
}

/** An error as one line: the problem's title and detail (or the thrown message). */
export function describe(error) {
  const detail = error?.detail ?? error?.message ?? String(error);
  const title = error?.title;
  if (!title || title === detail || title.startsWith("HTTP ")) return detail;
  return `${title}: ${detail}`;
}

/**
 * A `<form>` whose submit runs `action()` (buttons disabled meanwhile); its result, a
 * string, is shown as status; a thrown error is shown as an alert.
 */
export function actionForm(attrs, children, action, message = new Message()) {
  const form = h("form", { ...attrs, novalidate: true }, children, message.element);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await run(form, message, action);
  });
  return form;
}

/** Run `action` with `container`'s buttons disabled, reporting in `message`. */
export async function run(container, message, action) {
  const buttons = [...container.querySelectorAll("button")];
  for (const button of buttons) button.disabled = true;
  message.clear();
  try {
    const text = await action();
    if (typeof text === "string") message.ok(text);
  } catch (error) {
    message.error(error);
  } finally {
    for (const button of buttons) button.disabled = false;
  }
}

/** A labelled table (scrolling sideways when narrow): column headings, then `rows`. */
export function table(label, headings, rows) {
  return h("div", { class: "table-wrap" }, h("table", { class: "data-table", "aria-label": label },
    h("thead", {}, h("tr", {}, headings.map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, rows)));
}

/** A date-time from the server (ISO 8601) in the reader's locale; "never" for null. */
export function when(iso) {
  if (!iso) return "never";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

/** A secret shown once: read-only, selectable, with a Copy button and a warning. */
export function shownOnce(label, secret, warning) {
  const input = h("input", { type: "text", readonly: true, value: secret, class: "secret", "aria-label": label, spellcheck: "false" });
  const copied = h("span", { class: "muted", role: "status" });
  const copy = h("button", { type: "button", class: "small" }, "Copy");
  copy.addEventListener("click", async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(secret);
      copied.textContent = "Copied.";
    } catch {
      copied.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
    }
  });
  return h("div", { class: "shown-once" }, h("p", { class: "warning", text: warning }),
    h("div", { class: "secret-row" }, input, copy), copied);
}
