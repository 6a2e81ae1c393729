/** The play queue: track ids and the index of the one playing. Pure; the player follows it. */

export class Queue {
  constructor(items = [], index = -1) {
    this.items = items.filter((id) => Number.isInteger(id) && id >= 0);
    this.index = this.items.length === 0 ? -1 : Math.min(Math.max(index, 0), this.items.length - 1);
  }

  get current() {
    return this.index >= 0 ? this.items[this.index] : null;
  }

  get length() {
    return this.items.length;
  }

  /** Replace the queue with `ids` (an album, the library list) and play `start`. */
  replace(ids, start = 0) {
    this.items = [...ids];
    this.index = this.items.length === 0 ? -1 : Math.min(Math.max(start, 0), this.items.length - 1);
  }

  /** Queue `id` right after the current track. */
  playNext(id) {
    this.items.splice(this.index + 1, 0, id);
    if (this.index < 0) this.index = 0;
  }

  /** Queue `id` at the end. */
  add(id) {
    this.items.push(id);
    if (this.index < 0) this.index = 0;
  }

  /** Move the entry at `from` to `to`, keeping the current track current. */
  move(from, to) {
    if (!this.valid(from) || !this.valid(to) || from === to) return false;
    const playing = this.index;
    const [id] = this.items.splice(from, 1);
    this.items.splice(to, 0, id);
    if (playing === from) this.index = to;
    else if (from < playing && to >= playing) this.index -= 1;
    else if (from > playing && to <= playing) this.index += 1;
    return true;
  }

  /** Remove the entry at `at` (the current one included: the next one becomes current). */
  remove(at) {
    if (!this.valid(at)) return false;
    this.items.splice(at, 1);
    if (at < this.index || this.index >= this.items.length) this.index -= 1;
    if (this.items.length === 0) this.index = -1;
    else this.index = Math.max(this.index, 0);
    return true;
  }

  /** Remove everything but the current track. */
  clear() {
    this.items = this.current === null ? [] : [this.current];
    this.index = this.items.length - 1;
  }

  /** Make `at` current; false when out of range. */
  jump(at) {
    if (!this.valid(at)) return false;
    this.index = at;
    return true;
  }

  valid(at) {
    return Number.isInteger(at) && at >= 0 && at < this.items.length;
  }

  toJSON() {
    return { items: this.items, index: this.index };
  }

  static fromJSON(data) {
    if (!data || !Array.isArray(data.items)) return new Queue();
    return new Queue(data.items, Number.isInteger(data.index) ? data.index : 0);
  }
}
