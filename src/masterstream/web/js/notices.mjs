/** Errors and notes shown to the listener (never swallowed): title, detail, dismiss. */

import { $, h } from "./dom.mjs";

const MAX_NOTICES = 4;

export function notify(title, detail = "", { kind = "error", timeoutMs = 12000 } = {}) {
  const box = $("notices");
  const close = h("button", { type: "button", class: "small", "aria-label": `Dismiss: ${title}` }, "×");
  const notice = h("div", { class: `notice ${kind}` }, close, h("strong", { text: title }), detail ? h("span", { text: detail }) : null);
  close.addEventListener("click", () => notice.remove());
  box.append(notice);
  while (box.children.length > MAX_NOTICES) box.firstElementChild.remove();
  if (timeoutMs > 0) setTimeout(() => notice.remove(), timeoutMs);
  return notice;
}

/** An error from the API (a problem document's title and detail) or anything thrown. */
export function notifyError(context, error) {
  const title = error?.title && error.title !== error.detail ? `${context}: ${error.title}` : context;
  const detail = error?.detail ?? error?.message ?? String(error);
  return notify(title, detail);
}
