/** The queue panel: what plays next, with play, move up/down and remove on every entry. */

import { $, h, mount } from "./dom.mjs";

export class QueueView {
  constructor({ player, store, onChange }) {
    this.player = player;
    this.store = store;
    this.onChange = onChange;
    $("queue-clear").addEventListener("click", () => this.edit((queue) => queue.clear()));
    player.addEventListener("trackchange", () => this.render());
    this.render();
  }

  /** Apply `change` to the queue, tell the player, remember it. */
  edit(change) {
    change(this.player.queue);
    this.player.queueChanged();
    this.render();
    this.onChange?.();
  }

  render() {
    const { queue, tracks } = this.player;
    const items = queue.items.map((id, index) => {
      const track = tracks.get(id);
      const title = track?.title ?? `track ${id}`;
      const current = index === queue.index;
      const button = (label, text, action, disabled = false) =>
        h("button", { type: "button", "aria-label": `${label}: ${title}`, title: label, disabled, onclick: action }, text);
      return h("li", { "aria-current": current ? "true" : null },
        h("span", { class: "q-title" }, current ? "▶ " : "", title),
        h("span", { class: "q-actions" },
          button("Play from queue", "▶", () => { this.player.jumpTo(index); this.player.play(); }),
          button("Move up", "↑", () => this.edit((q) => q.move(index, index - 1)), index === 0),
          button("Move down", "↓", () => this.edit((q) => q.move(index, index + 1)), index === queue.length - 1),
          button("Remove from queue", "×", () => this.edit((q) => q.remove(index)))));
    });
    mount($("queue"), items.length > 0 ? items : h("li", { class: "muted" }, "The queue is empty."));
    this.store.set({ queue: queue.toJSON() });
  }
}
