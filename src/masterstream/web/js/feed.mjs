/**
 * The live feed (/ws): one connection for the whole app, subscribed to every topic,
 * answering pings, reconnecting with back-off, and reporting its state to listeners.
 */

import { serverUrl } from "./api.mjs";
import { Backoff } from "./backoff.mjs";

export const TOPICS = ["cache_stats", "health", "alerts", "tracks"];

export class LiveFeed extends EventTarget {
  /** `createSocket(url)` makes the WebSocket (injectable for tests). */
  constructor({ url, createSocket = (u) => new WebSocket(u), backoff = new Backoff() } = {}) {
    super();
    this.url = url ?? LiveFeed.defaultUrl();
    this.createSocket = createSocket;
    this.backoff = backoff;
    this.socket = null;
    this.state = "idle";
    this.retryAt = null;
    this.timer = null;
    this.reconnects = 0;
    this.stopped = false;
  }

  static defaultUrl() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}${serverUrl("/ws")}`;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close(1000, "bye");
    this.setState("closed");
  }

  connect() {
    clearTimeout(this.timer);
    this.setState(this.reconnects === 0 ? "connecting" : "reconnecting");
    let socket;
    try {
      socket = this.createSocket(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.backoff.reset();
      this.setState("open");
      this.send("subscribe", { topics: TOPICS });
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (!this.stopped) this.scheduleRetry();
    };
    socket.onerror = () => socket.close();
  }

  scheduleRetry() {
    const delay = this.backoff.next();
    this.reconnects += 1;
    this.retryAt = Date.now() + delay;
    this.setState("waiting");
    this.timer = setTimeout(() => this.connect(), delay);
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (frame.type === "ping") this.send("pong", {});
    this.dispatchEvent(new CustomEvent(frame.type, { detail: frame }));
    this.dispatchEvent(new CustomEvent("frame", { detail: frame }));
  }

  /** Send a message when connected; returns whether it went out. */
  send(type, data) {
    if (!this.socket || this.socket.readyState !== 1) return false;
    this.socket.send(JSON.stringify({ type, data }));
    return true;
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: { state, retryAt: this.retryAt } }));
  }
}
