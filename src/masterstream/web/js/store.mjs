/** What the app remembers across reloads (localStorage), read and written defensively. */

const KEY = "masterstream:v1";

export const DEFAULTS = {
  queue: { items: [], index: -1 },
  positionS: 0,
  preset: "adaptive",
  intensity: 1,
  volume: 1,
  muted: false,
  format: "flac",
  compareArmed: false,
};

export class Store {
  constructor(storage = globalThis.localStorage) {
    this.storage = storage;
    this.state = { ...DEFAULTS, ...this.read() };
  }

  read() {
    try {
      const data = JSON.parse(this.storage?.getItem(KEY) ?? "{}");
      return data && typeof data === "object" ? data : {};
    } catch {
      return {};
    }
  }

  get(name) {
    return this.state[name];
  }

  /** Merge `values` and write (quota or privacy errors leave the app working). */
  set(values) {
    Object.assign(this.state, values);
    try {
      this.storage?.setItem(KEY, JSON.stringify(this.state));
    } catch {
      // storage unavailable: remembered for this page only
    }
  }

  clear() {
    this.state = { ...DEFAULTS };
    try {
      this.storage?.removeItem(KEY);
    } catch {
      // nothing stored
    }
  }
}
