/**
 * The player bar: transport, seek slider (position in seconds as aria-valuenow), preset,
 * intensity, compare with original (with the gain applied), volume and mute.
 */

import { $, h } from "./dom.mjs";
import { formatDb, formatTime } from "./format.mjs";

const PLAY_PATH = "M8 5v14l11-7z";
const PAUSE_PATH = "M6 5h4v14H6zM14 5h4v14h-4z";
const SOUND_PATH = "M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4z";
const MUTED_PATH = "M3 9v6h4l5 5V4L7 9H3zm12.6-.4 1.4-1.4 2.4 2.4 2.4-2.4 1.4 1.4-2.4 2.4 2.4 2.4-1.4 1.4-2.4-2.4-2.4 2.4-1.4-1.4 2.4-2.4z";
const INTENSITY_DEBOUNCE_MS = 250;

export class PlayerBar {
  constructor({ player, presets, store, coverUrl }) {
    this.player = player;
    this.store = store;
    this.coverUrl = coverUrl;
    this.seeking = false;
    this.intensityTimer = null;
    this.fillPresets(presets);
    this.bind();
    this.render();
  }

  fillPresets(presets) {
    const select = $("preset");
    for (const preset of presets) {
      select.append(h("option", { value: preset.name, title: preset.description }, preset.name));
    }
    select.value = this.player.variant.preset;
    this.showIntensity(this.player.variant.intensity);
  }

  showIntensity(intensity) {
    $("intensity").value = String(intensity);
    $("intensity-value").value = Number(intensity).toFixed(2);
  }

  bind() {
    const player = this.player;
    $("play").addEventListener("click", () => player.toggle());
    $("next").addEventListener("click", () => player.next());
    $("prev").addEventListener("click", () => player.previous());
    const seek = $("seek");
    seek.addEventListener("input", () => {
      this.seeking = true;
      this.showTime(Number(seek.value));
    });
    seek.addEventListener("change", () => {
      this.seeking = false;
      player.seek(Number(seek.value));
    });
    $("preset").addEventListener("change", (event) => this.changeVariant({ preset: event.target.value }));
    $("intensity").addEventListener("input", (event) => {
      $("intensity-value").value = Number(event.target.value).toFixed(2);
      clearTimeout(this.intensityTimer);
      this.intensityTimer = setTimeout(
        () => this.changeVariant({ intensity: Number(event.target.value) }),
        INTENSITY_DEBOUNCE_MS,
      );
    });
    $("compare").addEventListener("click", () => this.toggleCompare());
    $("mute").addEventListener("click", () => this.setVolume(player.volume, !player.muted));
    $("volume").addEventListener("input", (event) => this.setVolume(Number(event.target.value), false));
    $("legend-toggle").addEventListener("click", (event) => {
      const open = event.currentTarget.getAttribute("aria-expanded") !== "true";
      event.currentTarget.setAttribute("aria-expanded", String(open));
      $("legend").hidden = !open;
    });
    for (const type of ["state", "time", "trackchange", "variant", "ended"]) {
      player.addEventListener(type, () => this.render());
    }
    player.addEventListener("mastering", (event) => this.showGain(event.detail.view));
  }

  changeVariant(change) {
    const variant = { ...this.player.variant, ...change };
    this.store.set({ preset: variant.preset, intensity: variant.intensity });
    this.player.setVariant(variant);
    this.showIntensity(variant.intensity);
  }

  toggleCompare() {
    this.player.setCompare(!this.player.compare);
    this.store.set({ compareArmed: this.player.compareArmed });
    const track = this.player.currentTrack;
    if (track) this.player.loader.mastering(track, this.player.variant).then((v) => this.showGain(v), () => {});
  }

  setVolume(volume, muted) {
    this.player.setVolume(volume, muted);
    this.store.set({ volume, muted });
    this.render();
  }

  showTime(positionS) {
    const seek = $("seek");
    seek.value = String(positionS);
    seek.setAttribute("aria-valuenow", positionS.toFixed(1));
    seek.setAttribute("aria-valuetext", `${formatTime(positionS)} of ${formatTime(Number(seek.max))}`);
    $("time").textContent = formatTime(positionS);
  }

  showGain(view) {
    const match = view?.level_match;
    let text = "";
    if (match && match.original_lufs === null) text = "original not level-matched yet (not analysed)";
    else if (match) text = `original ${formatDb(match.original_gain_db)}${this.player.compare ? " (level-matched)" : ""}`;
    $("compare-gain").textContent = text;
  }

  render() {
    const player = this.player;
    const track = player.currentTrack;
    const play = $("play");
    play.setAttribute("aria-label", player.playing ? "Pause" : "Play");
    $("play-icon").firstElementChild.setAttribute("d", player.playing ? PAUSE_PATH : PLAY_PATH);
    $("now-title").textContent = track ? track.title : "Nothing playing";
    $("now-artist").textContent = track ? track.artist ?? "" : "";
    const cover = $("now-cover");
    const url = track ? this.coverUrl(track) : null;
    cover.hidden = !url;
    if (url && cover.getAttribute("src") !== url) cover.src = url;
    const duration = track ? track.duration_s : 0;
    const seek = $("seek");
    if (seek.max !== String(duration)) {
      seek.max = String(duration);
      seek.setAttribute("aria-valuemax", String(duration));
      $("duration").textContent = formatTime(duration);
    }
    if (!this.seeking) this.showTime(player.position);
    $("seek-buffered").style.left = duration > 0 ? `${(player.position / duration) * 100}%` : "0";
    $("seek-buffered").style.width = duration > 0
      ? `${Math.max(0, Math.min(100, ((player.bufferedUntil - player.position) / duration) * 100))}%`
      : "0";
    const compare = $("compare");
    compare.setAttribute("aria-pressed", String(player.compare));
    $("preset").value = player.variant.preset;
    const mute = $("mute");
    mute.setAttribute("aria-pressed", String(player.muted));
    $("mute-icon").firstElementChild.setAttribute("d", player.muted ? MUTED_PATH : SOUND_PATH);
    $("volume").value = String(player.volume);
    $("prev").disabled = !track;
    $("next").disabled = player.queue.index + 1 >= player.queue.length;
  }
}
