/**
 * The server's HTTP API as the app uses it: JSON with problem details turned into errors,
 * chunk URLs carrying the track's version token, and feature detection of the catalog
 * endpoints that a server may not have yet (albums, artists, search, formats).
 */

/** An HTTP error carrying the RFC 9457 problem document's title and detail. */
export class ApiError extends Error {
  constructor(status, problem = {}, url = "") {
    const detail = problem.detail || problem.title || `HTTP ${status}`;
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.title = problem.title || `HTTP ${status}`;
    this.detail = detail;
    this.problem = problem;
    this.url = url;
  }
}

/** The error for a failed response (reads its problem document when it has one). */
export async function errorOf(response) {
  let problem = {};
  try {
    const type = response.headers.get("content-type") || "";
    if (type.includes("json")) problem = await response.json();
    else problem = { detail: (await response.text()).slice(0, 300) };
  } catch {
    problem = {};
  }
  return new ApiError(response.status, problem, response.url);
}

export async function getJSON(url, init = {}) {
  const response = await fetch(url, init);
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

/** JSON, or null when the server answers 404 (an endpoint this server does not have). */
export async function optionalJSON(url) {
  const response = await fetch(url);
  if (response.status === 404) return null;
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

/** An admin call: Bearer token when one is given; 401/403 become ApiErrors. */
export async function adminCall(method, url, token, body = undefined) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
  const response = await fetch(url, init);
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

export function variantQuery(variant, format) {
  const params = new URLSearchParams({ preset: variant.preset, intensity: String(variant.intensity) });
  if (format) params.set("format", format);
  return params;
}

/** A chunk's URL: with the version token, the browser may cache it for good. */
export function chunkUrl(track, chunk, variant, format) {
  const params = variantQuery(variant, format.name);
  if (format.bitrate) params.set("bitrate", String(format.bitrate));
  if (!format.lossless && format.standaloneChunks) params.set("standalone", "true");
  params.set("v", track.version);
  return `/api/tracks/${track.id}/chunks/${chunk}?${params}`;
}

function itemsOf(body) {
  if (Array.isArray(body)) return body;
  return body?.items ?? [];
}

/** Every track, page by page. */
export async function allTracks(pageSize = 500) {
  const tracks = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = await getJSON(`/api/tracks?offset=${offset}&limit=${pageSize}`);
    tracks.push(...itemsOf(page));
    if (itemsOf(page).length < pageSize || tracks.length >= (page.total ?? 0)) return tracks;
  }
}

/** The catalog: tracks, and albums/artists when the server has them (null otherwise). */
export async function loadCatalog() {
  const [tracks, albums, artists] = await Promise.all([
    allTracks(),
    optionalJSON("/api/albums?limit=500").catch(() => null),
    optionalJSON("/api/artists?limit=500").catch(() => null),
  ]);
  return {
    tracks,
    albums: albums === null ? null : itemsOf(albums),
    artists: artists === null ? null : itemsOf(artists),
  };
}

/** Formats the server can stream: FLAC first (the default), then the lossy ones at each
 * bitrate /api/formats lists, then WAV. */
export async function loadFormats() {
  const body = await optionalJSON("/api/formats").catch(() => null);
  const formats = [{ name: "flac", label: "FLAC (lossless)", lossless: true }];
  for (const entry of itemsOf(body?.formats ?? body)) {
    const name = typeof entry === "string" ? entry : entry?.name;
    if (!name || name === "flac" || name === "wav") continue;
    const bitrates = entry?.bitrates_kbps ?? entry?.bitrates ?? [];
    const lossless = entry?.lossy === false;
    const standaloneChunks = entry?.standalone_chunks === true;
    if (bitrates.length === 0) formats.push({ name, label: name.toUpperCase(), lossless, standaloneChunks });
    for (const bitrate of bitrates) {
      formats.push({ name, bitrate, label: `${name.toUpperCase()} ${bitrate} kbit/s`, lossless, standaloneChunks });
    }
  }
  formats.push({ name: "wav", label: "WAV (lossless, large)", lossless: true });
  return formats;
}

export function formatKey(format) {
  return format.bitrate ? `${format.name}@${format.bitrate}` : format.name;
}
