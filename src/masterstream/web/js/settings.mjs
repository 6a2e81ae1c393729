/**
 * Settings: the account's listening defaults, password, API keys and Subsonic apps (when
 * someone is signed in), then this browser's streaming quality (FLAC by default; lossy
 * formats when the server offers them) and keyboard shortcuts.
 */

import { formatKey } from "./api.mjs";
import { ApiKeysSection, SubsonicSection } from "./app-access.mjs";
import { DataUseView } from "./data-use.mjs";
import { $, h, mount } from "./dom.mjs";
import { DefaultsSection, PasswordSection } from "./settings-account.mjs";

export class SettingsView {
  constructor({ formats, player, store, account, presets, onDefaults }) {
    this.account = account;
    this.presets = presets;
    this.onDefaults = onDefaults;
    this.accountPart = h("div", { class: "settings-account" });
    const select = h("select", { id: "quality", "aria-describedby": "quality-note" },
      formats.map((f) => h("option", { value: formatKey(f), disabled: !playable(f) }, playable(f) ? f.label : `${f.label} (not playable here yet)`)));
    select.value = formatKey(player.format);
    select.addEventListener("change", () => {
      const format = formats.find((f) => formatKey(f) === select.value);
      store.set({ format: formatKey(format) });
      player.setFormat(format);
    });
    const lossy = formats.some((f) => !f.lossless);
    const forget = h("button", { type: "button", onclick: () => { store.clear(); location.reload(); } }, "Forget queue, position and settings");
    mount($("settings"), this.accountPart,
      h("div", { class: "panel" },
        h("h2", { text: "Quality" }),
        h("label", {}, "Chunk format ", select),
        h("p", { class: "note", id: "quality-note", text: lossy
          ? "FLAC is lossless and the default. Opus and MP3 use a fraction of the data: each chunk comes as a file of its own that declares its encoder delay and padding, so the chunks still play back to back without a gap."
          : "This server streams lossless chunks (FLAC, or WAV); it offers no lossy format." }),
        new DataUseView({ player, formats }).element),
      h("div", { class: "panel" },
        h("h2", { text: "Keyboard" }),
        h("dl", { class: "kv" }, [["Space", "play / pause"], ["← / →", "seek 10 s"], ["N / P", "next / previous track"],
          ["A", "compare with the original"], ["M", "mute"], ["L / D", "library / dashboard"]]
          .flatMap(([k, v]) => [h("dt", { text: k }), h("dd", { text: v })]))),
      h("div", { class: "panel" }, h("h2", { text: "This browser" }), forget));
  }

  /** Build the account's sections afresh from the server (each visit of the page). */
  refresh() {
    const { account } = this;
    if (!account?.signedIn) {
      mount(this.accountPart, account?.session?.setup_available
        ? h("p", { class: "panel" }, "Listening defaults, API keys and Subsonic apps belong to an account. ",
          h("a", { href: "#/setup" }, "Create the first admin account"), ".")
        : null);
      return;
    }
    const sections = [
      new DefaultsSection({ presets: this.presets, onSaved: this.onDefaults }),
      new PasswordSection({ name: account.user.name }),
      new ApiKeysSection(),
      new SubsonicSection(),
    ];
    mount(this.accountPart, h("p", { class: "muted" }, `Signed in as ${account.user.name} (${account.user.role}).`),
      sections.map((s) => s.element));
    for (const section of sections) section.load?.();
  }
}

/** Whether this player can queue the format's chunks sample-exactly: lossless ones, and
 * lossy ones only when the server serves each chunk as a file of its own. */
export function playable(format) {
  return format.lossless || format.standaloneChunks === true;
}

/** The stored format key resolved against what the server offers (FLAC when gone). */
export function pickFormat(formats, key) {
  return formats.find((f) => formatKey(f) === key && playable(f)) ?? formats[0];
}
