/** Media Session (titles, artwork, media keys, lock screen) and keyboard shortcuts. */

export function bindMediaSession(player, coverUrl) {
  const session = navigator.mediaSession;
  if (!session) return;
  const actions = {
    play: () => player.play(),
    pause: () => player.pause(),
    nexttrack: () => player.next(),
    previoustrack: () => player.previous(),
    seekbackward: (d) => player.seek(player.position - (d.seekOffset ?? 10)),
    seekforward: (d) => player.seek(player.position + (d.seekOffset ?? 10)),
    seekto: (d) => player.seek(d.seekTime),
  };
  for (const [action, handler] of Object.entries(actions)) {
    try {
      session.setActionHandler(action, handler);
    } catch {
      // an action this browser does not support
    }
  }
  const update = () => {
    const track = player.currentTrack;
    if (!track) return;
    const cover = coverUrl(track);
    session.metadata = new MediaMetadata({
      title: track.title, artist: track.artist ?? "", album: track.album ?? "",
      artwork: cover ? [{ src: cover, sizes: "512x512" }] : [],
    });
  };
  player.addEventListener("trackchange", update);
  player.addEventListener("state", (e) => { session.playbackState = e.detail.playing ? "playing" : "paused"; });
  let last = 0;
  player.addEventListener("time", () => {
    const track = player.currentTrack;
    if (!track || Date.now() - last < 1000 || !session.setPositionState) return;
    last = Date.now();
    try {
      session.setPositionState({ duration: track.duration_s, position: Math.min(player.position, track.duration_s), playbackRate: 1 });
    } catch {
      // position outside duration while switching tracks
    }
  });
  update();
}

const EDITABLE = new Set(["INPUT", "SELECT", "TEXTAREA"]);

/** Space, ←/→ (10 s), N/P, A, M, L/D: skipped while typing or on a focused control. */
export function bindShortcuts(player, { toggleCompare, toggleMute, go }) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.target;
    if (EDITABLE.has(target.tagName) || target.isContentEditable) return;
    const onButton = target.tagName === "BUTTON" || target.tagName === "A";
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const handlers = {
      " ": () => player.toggle(),
      ArrowLeft: () => player.seek(player.position - 10),
      ArrowRight: () => player.seek(player.position + 10),
      n: () => player.next(),
      p: () => player.previous(),
      a: () => toggleCompare(),
      m: () => toggleMute(),
      l: () => go("library"),
      d: () => go("dashboard"),
    };
    if (!(key in handlers) || (key === " " && onButton)) return;
    event.preventDefault();
    handlers[key]();
  });
}
