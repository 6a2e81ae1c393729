/**
 * The app: loads the catalog, presets and formats, restores what the listener had
 * (queue, position, preset, intensity, volume), wires the player, its views and the live
 * feed, routes between Library, Dashboard and Settings, and reports the playback position
 * over /ws so the server's warmer follows it.
 */

import { getJSON, loadCatalog, loadFormats } from "./api.mjs";
import { DashboardData } from "./dashboard-data.mjs";
import { Dashboard } from "./dashboard.mjs";
import { $ } from "./dom.mjs";
import { LiveFeed } from "./feed.mjs";
import { LibraryView } from "./library.mjs";
import { MasteringPanel } from "./mastering-panel.mjs";
import { bindMediaSession, bindShortcuts } from "./media.mjs";
import { notifyError } from "./notices.mjs";
import { Player } from "./player.mjs";
import { PlayerBar } from "./playerbar.mjs";
import { Queue } from "./queue.mjs";
import { QueueView } from "./queue-view.mjs";
import { SeekBar } from "./seekbar.mjs";
import { SettingsView, pickFormat } from "./settings.mjs";
import { Store } from "./store.mjs";

const POSITION_REPORT_MS = 2000;
const VIEWS = ["library", "dashboard", "settings"];

function showConnection(feed) {
  const badge = $("connection");
  const render = () => {
    badge.dataset.state = feed.state;
    const wait = Math.max(0, Math.ceil(((feed.retryAt ?? 0) - Date.now()) / 1000));
    badge.textContent = {
      open: "Live feed: connected",
      connecting: "Live feed: connecting…",
      reconnecting: "Live feed: reconnecting…",
      waiting: `Live feed: disconnected, retrying in ${wait} s`,
      closed: "Live feed: closed",
    }[feed.state] ?? "Live feed: starting";
  };
  feed.addEventListener("state", render);
  setInterval(() => feed.state === "waiting" && render(), 1000);
  render();
}

function restorePlayer(store, catalog, presets, formats) {
  const tracks = new Map(catalog.tracks.map((t) => [t.id, t]));
  const saved = Queue.fromJSON(store.get("queue"));
  const current = saved.current;
  const items = saved.items.filter((id) => tracks.has(id));
  const queue = new Queue(items, Math.max(0, items.indexOf(current)));
  const names = new Set(presets.map((p) => p.name));
  const preset = names.has(store.get("preset")) ? store.get("preset") : "adaptive";
  const intensity = Math.min(1, Math.max(0, Number(store.get("intensity")) || 0));
  const player = new Player({ tracks, queue, format: pickFormat(formats, store.get("format")), variant: { preset, intensity } });
  player.compareArmed = Boolean(store.get("compareArmed"));
  player.volume = Math.min(1, Math.max(0, Number(store.get("volume") ?? 1)));
  player.muted = Boolean(store.get("muted"));
  if (queue.current === current) player.startPositionS = Math.max(0, Number(store.get("positionS")) || 0);
  return player;
}

function reportPosition(player, feed) {
  const send = () => {
    const track = player.currentTrack;
    if (!track || !player.graph) return;
    const { preset, intensity } = player.variant;
    feed.send("playback_position", {
      track_id: track.id, position_s: Math.max(0, player.position), preset,
      intensity: preset === "original" ? 1 : intensity, format: player.format.name,
      bitrate: player.format.bitrate, standalone: player.format.standaloneChunks === true,
    });
  };
  setInterval(() => player.playing && send(), POSITION_REPORT_MS);
  player.addEventListener("time", (e) => e.detail.seeked && send());
  for (const type of ["trackchange", "variant", "state"]) player.addEventListener(type, send);
  feed.addEventListener("state", () => feed.state === "open" && send());
}

function route(dashboard) {
  const view = VIEWS.find((v) => location.hash === `#/${v}`) ?? "library";
  for (const name of VIEWS) $(`view-${name}`).hidden = name !== view;
  for (const link of document.querySelectorAll("nav a[data-view]")) {
    if (link.dataset.view === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  dashboard.setVisible(view === "dashboard");
  return view;
}

async function boot() {
  const store = new Store();
  const feed = new LiveFeed();
  showConnection(feed);
  const data = new DashboardData(feed);
  feed.start();
  let catalog;
  let presets;
  let formats;
  try {
    [catalog, presets, formats] = await Promise.all([loadCatalog(), getJSON("/api/presets"), loadFormats()]);
  } catch (error) {
    notifyError("Cannot load the library", error);
    return;
  }
  data.seed();
  const player = restorePlayer(store, catalog, presets, formats);
  const coverUrl = (track) => (track.has_cover ? `/api/tracks/${track.id}/cover` : null);
  const bar = new PlayerBar({ player, presets, store, coverUrl });
  new SeekBar({ player, feed });
  new MasteringPanel({ player, onView: (view) => bar.showGain(view) });
  const queueView = new QueueView({ player, store });
  const edited = () => { player.queueChanged(); queueView.render(); bar.render(); };
  const library = new LibraryView({
    catalog, tracks: player.tracks,
    actions: {
      playList: (ids, index) => {
        player.stopAll();
        player.queue.replace(ids, index);
        player.startPositionS = 0;
        queueView.render();
        player.play();
      },
      playNext: (id) => { player.queue.playNext(id); edited(); },
      add: (id) => { player.queue.add(id); edited(); },
      isCurrent: (id) => player.queue.current === id,
    },
  });
  new SettingsView({ formats, player, store });
  let view = "library";
  const dashboard = new Dashboard({ data, tracks: player.tracks, player, visible: () => view === "dashboard" });
  window.addEventListener("hashchange", () => {
    view = route(dashboard);
    window.scrollTo(0, 0);
    $("main").focus({ preventScroll: true });
  });
  view = route(dashboard);
  player.addEventListener("trackchange", () => library.markPlaying());
  player.addEventListener("failure", (e) => {
    const { track, error, kept } = e.detail;
    notifyError(`Cannot play “${track?.title ?? "track"}”${kept ? "" : ", skipping it"}`, error);
  });
  let saved = 0;
  player.addEventListener("time", () => {
    if (Date.now() - saved < 1000) return;
    saved = Date.now();
    store.set({ positionS: player.position, queue: player.queue.toJSON() });
  });
  reportPosition(player, feed);
  bindMediaSession(player, coverUrl);
  bindShortcuts(player, {
    toggleCompare: () => bar.toggleCompare(),
    toggleMute: () => bar.setVolume(player.volume, !player.muted),
    go: (name) => { location.hash = `#/${name}`; },
  });
  bar.render();
  player.emit("trackchange", { track: player.currentTrack });
  window.masterstream = { player, feed, data, store };
  document.documentElement.dataset.ready = "true";
  performance.mark("masterstream-ready");
}

boot();
