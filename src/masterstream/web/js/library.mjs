/**
 * The library: tracks, and albums (with covers) and artists when the server has them;
 * search (server-side when /api/search exists, else a filter of the track list). Every
 * playable row has a button named "Play <track title>".
 */

import { getJSON, serverUrl } from "./api.mjs";
import { $, h, mount } from "./dom.mjs";
import { formatTime } from "./format.mjs";
import { notifyError } from "./notices.mjs";

const MAX_ROWS = 500;

export class LibraryView {
  constructor({ catalog, tracks, actions }) {
    this.catalog = catalog;
    this.tracks = tracks; // Map id -> track
    this.actions = actions; // {playList(ids, index), playNext(id), add(id), isCurrent(id)}
    this.tab = catalog.albums?.length ? "albums" : "tracks";
    this.query = "";
    this.searchTimer = null;
    $("search").addEventListener("input", (event) => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => this.search(event.target.value.trim()), 200);
    });
    this.renderTabs();
    this.show();
  }

  renderTabs() {
    const tabs = [["tracks", "Tracks"]];
    if (this.catalog.albums?.length) tabs.unshift(["albums", "Albums"]);
    if (this.catalog.artists?.length) tabs.push(["artists", "Artists"]);
    mount(
      $("library-tabs"),
      tabs.map(([name, label]) =>
        h("button", {
          type: "button", class: "small", "aria-pressed": String(this.tab === name),
          onclick: () => { this.tab = name; this.query = ""; $("search").value = ""; this.renderTabs(); this.show(); },
        }, label),
      ),
    );
  }

  status(text) {
    $("library-status").textContent = text;
  }

  show() {
    if (this.tab === "albums") this.showAlbums(this.catalog.albums);
    else if (this.tab === "artists") this.showArtists(this.catalog.artists);
    else this.showTracks(this.catalog.tracks, `${this.catalog.tracks.length} tracks`);
  }

  async search(query) {
    this.query = query;
    if (!query) return this.show();
    if (this.catalog.albums) {
      try {
        const found = await getJSON(serverUrl(`/api/search?q=${encodeURIComponent(query)}`));
        if (query !== this.query) return;
        const tracks = (found.tracks?.items ?? found.tracks ?? []).map((t) => this.known(t)).filter(Boolean);
        const albums = found.albums?.items ?? found.albums ?? [];
        mount($("library-content"));
        if (albums.length > 0) this.showAlbums(albums, false);
        this.showTracks(tracks, `${tracks.length} tracks, ${albums.length} albums for “${query}”`, albums.length > 0);
        return;
      } catch (error) {
        if (error.status !== 404) notifyError("Search failed", error);
      }
    }
    const needle = query.toLocaleLowerCase();
    const hits = this.catalog.tracks.filter((t) =>
      [t.title, t.artist, t.album].some((field) => field?.toLocaleLowerCase().includes(needle)),
    );
    this.showTracks(hits, `${hits.length} tracks match “${query}”`);
  }

  /** The catalog's track for an id (search and album answers may carry fewer fields). */
  known(track) {
    return this.tracks.get(track.id) ?? null;
  }

  trackRow(track, list, index) {
    const ids = list.map((t) => t.id);
    return h("li", { class: "track-row", dataset: { trackId: track.id, playing: String(this.actions.isCurrent(track.id)) } },
      h("button", { type: "button", class: "small", "aria-label": `Play ${track.title}`, onclick: () => this.actions.playList(ids, index) }, "▶"),
      h("span", { class: "title" }, h("span", { text: track.title }), " ",
        h("span", { class: "muted", text: [track.artist, track.album].filter(Boolean).join(" · ") })),
      h("span", { class: "muted time", text: formatTime(track.duration_s) }),
      h("span", { class: "actions" },
        h("button", { type: "button", class: "small", "aria-label": `Queue next: ${track.title}`, title: "Play next", onclick: () => this.actions.playNext(track.id) }, "Next"),
        h("button", { type: "button", class: "small", "aria-label": `Add to queue: ${track.title}`, title: "Add to queue", onclick: () => this.actions.add(track.id) }, "+")),
    );
  }

  showTracks(tracks, summary, append = false) {
    const shown = tracks.slice(0, MAX_ROWS);
    this.status(tracks.length > MAX_ROWS ? `${summary} (the first ${MAX_ROWS}: search to narrow)` : summary);
    const list = h("ul", { class: "track-list", "aria-label": "Tracks" }, shown.map((t, i) => this.trackRow(t, shown, i)));
    if (append) $("library-content").append(list);
    else mount($("library-content"), list);
  }

  showAlbums(albums, replace = true) {
    if (replace) this.status(`${albums.length} albums`);
    const grid = h("div", { class: "album-grid" }, albums.map((album) => {
      const title = album.title ?? album.name;
      const artist = album.album_artist ?? album.artist ?? "";
      return h("div", { class: "album-card" },
        h("button", { type: "button", class: "open", "aria-label": `Open album ${title}`, onclick: () => this.openAlbum(album) },
          h("img", { src: serverUrl(`/api/albums/${album.id}/cover?size=256`), alt: "", loading: "lazy" }),
          h("strong", { text: title }), h("div", { class: "muted", text: [artist, album.year].filter(Boolean).join(" · ") })),
        h("button", { type: "button", class: "small", "aria-label": `Play album ${title}`, onclick: () => this.playAlbum(album) }, "▶ Play"));
    }));
    if (replace) mount($("library-content"), grid);
    else $("library-content").append(grid);
  }

  async albumTracks(album) {
    const body = await getJSON(serverUrl(`/api/albums/${album.id}`));
    const tracks = (body.tracks?.items ?? body.tracks ?? []).map((t) => this.known(t)).filter(Boolean);
    return { info: body.album ?? body, tracks };
  }

  async playAlbum(album) {
    try {
      const { tracks } = await this.albumTracks(album);
      if (tracks.length > 0) this.actions.playList(tracks.map((t) => t.id), 0);
    } catch (error) {
      notifyError(`Cannot play album ${album.title ?? album.id}`, error);
    }
  }

  async openAlbum(album) {
    try {
      const { info, tracks } = await this.albumTracks(album);
      const ids = tracks.map((t) => t.id);
      this.status(`${info.title ?? album.title}: ${tracks.length} tracks`);
      mount($("library-content"),
        h("div", { class: "panel-head" }, h("h2", { text: info.title ?? album.title }),
          h("span", {}, h("button", { type: "button", onclick: () => this.actions.playList(ids, 0) }, "Play album"), " ",
            h("button", { type: "button", onclick: () => ids.forEach((id) => this.actions.add(id)) }, "Add album to queue"), " ",
            h("button", { type: "button", onclick: () => this.show() }, "Back"))),
        h("ul", { class: "track-list", "aria-label": "Album tracks" }, tracks.map((t, i) => this.trackRow(t, tracks, i))));
    } catch (error) {
      notifyError(`Cannot open album ${album.title ?? album.id}`, error);
    }
  }

  async showArtists(artists) {
    this.status(`${artists.length} artists`);
    mount($("library-content"), h("ul", { class: "track-list", "aria-label": "Artists" }, artists.map((artist) =>
      h("li", { class: "track-row" }, h("span"),
        h("button", { type: "button", class: "small", onclick: () => this.openArtist(artist) }, artist.name ?? artist.title),
        h("span", { class: "muted", text: artist.album_count ? `${artist.album_count} albums` : "" }), h("span")))));
  }

  async openArtist(artist) {
    try {
      const body = await getJSON(serverUrl(`/api/albums?artist_id=${artist.id}&limit=500`));
      this.showAlbums(body.items ?? body);
      this.status(`${artist.name}: ${(body.items ?? body).length} albums`);
    } catch (error) {
      notifyError(`Cannot open ${artist.name}`, error);
    }
  }

  /** Mark the playing track's rows. */
  markPlaying() {
    for (const row of document.querySelectorAll(".track-row[data-track-id]")) {
      row.dataset.playing = String(this.actions.isCurrent(Number(row.dataset.trackId)));
    }
  }
}
