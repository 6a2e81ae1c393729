/**
 * The app: signs the visitor in (session-flow.mjs), loads the catalog, presets and
 * formats, restores what the listener had (queue, position, preset, intensity, volume),
 * wires the player, its views and the live feed, routes between Library, Dashboard,
 * Settings and Users, and reports the playback position over /ws so the server's warmer
 * follows it.
 */

import { Account, AccountMenu } from "./account.mjs";
import { formatKey, getJSON, loadCatalog, loadFormats, serverUrl } from "./api.mjs";
import { DashboardData } from "./dashboard-data.mjs";
import { formatKeyOf, variantOf } from "./defaults.mjs";
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
import { firstSession, keepSession, offerSetup, signOut } from "./session-flow.mjs";
import { SettingsView, pickFormat } from "./settings.mjs";
import { AuthPages } from "./signin.mjs";
import { Store } from "./store.mjs";
import { UsersView } from "./users.mjs";

const POSITION_REPORT_MS = 2000;
const VIEWS = ["library", "dashboard", "settings", "users"];

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

function route(dashboard, account) {
  let view = VIEWS.find((v) => location.hash === `#/${v}`) ?? "library";
  if (view === "users" && !account.admin) view = "library";
  for (const name of VIEWS) $(`view-${name}`).hidden = name !== view;
  for (const link of document.querySelectorAll("nav a[data-view]")) {
    if (link.dataset.view === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  dashboard.setVisible(view === "dashboard");
  return view;
}

/** The user's listening defaults for the player: now when nothing plays, else from the
 * next track on. */
function defaultsApplier({ player, bar, store, presets, formats }) {
  let pending = null;
  const apply = (settings) => {
    const format = pickFormat(formats, formatKeyOf(settings));
    bar.changeVariant(variantOf(settings, presets.map((p) => p.name)));
    store.set({ format: formatKey(format) });
    if (formatKey(format) !== formatKey(player.format)) player.setFormat(format);
    const quality = $("quality");
    if (quality) quality.value = formatKey(format);
  };
  player.addEventListener("trackchange", () => {
    const settings = pending;
    pending = null;
    if (settings) apply(settings);
  });
  return (settings) => {
    if (player.playing) pending = settings;
    else apply(settings);
  };
}

async function boot() {
  const store = new Store();
  const pages = new AuthPages();
  const first = await firstSession(pages);
  if (first === null) return;
  const account = new Account(first.session);
  new AccountMenu({ account, onSignOut: () => signOut(account) });
  const feed = new LiveFeed();
  showConnection(feed);
  const data = new DashboardData(feed);
  feed.start();
  let catalog;
  let presets;
  let formats;
  try {
    [catalog, presets, formats] = await Promise.all([loadCatalog(), getJSON(serverUrl("/api/presets")), loadFormats()]);
  } catch (error) {
    notifyError("Cannot load the library", error);
    return;
  }
  data.seed();
  const player = restorePlayer(store, catalog, presets, formats);
  const coverUrl = (track) => (track.has_cover ? serverUrl(`/api/tracks/${track.id}/cover`) : null);
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
  const applyDefaults = defaultsApplier({ player, bar, store, presets, formats });
  const settings = new SettingsView({ formats, player, store, account, presets, onDefaults: applyDefaults });
  const users = new UsersView({ account });
  keepSession({ account, pages, player });
  let view = "library";
  const dashboard = new Dashboard({ data, tracks: player.tracks, player, visible: () => view === "dashboard" });
  const show = () => {
    if (location.hash === "#/setup") offerSetup(account, pages);
    view = route(dashboard, account);
    if (view === "settings") settings.refresh();
    if (view === "users") users.load();
  };
  window.addEventListener("hashchange", () => {
    show();
    window.scrollTo(0, 0);
    $("main").focus({ preventScroll: true });
  });
  show();
  if (first.signedInNow) getJSON(serverUrl("/api/me/settings")).then(applyDefaults, (error) => notifyError("Cannot load your defaults", error));
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
  window.masterstream = { player, feed, data, store, account };
  document.documentElement.dataset.ready = "true";
  performance.mark("masterstream-ready");
}

boot();
