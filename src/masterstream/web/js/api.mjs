/**
 * The server's HTTP API as the app uses it: JSON with problem details turned into errors,
 * chunk URLs carrying the track's version token, and feature detection of the catalog
 * endpoints that a server may not have yet (albums, artists, search, formats).
 */

/** The sub-path the server is served under ("" at the root of its host, "/music" behind
 * a proxy): the server writes it into the page (`<html data-root-path>`). */
export function rootPath() {
  return globalThis.document?.documentElement?.dataset.rootPath ?? "";
}

/** A server path ("/api/tracks", "/ws") as this page must ask for it: under the root path. */
export function serverUrl(path) {
  return rootPath() + path;
}

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

/** Fires "ended" when the server says this browser's session is over (a 401 answered
 * with the user realm's challenge): the app goes back to sign-in. */
export const sessionEvents = new EventTarget();

/** Whether a response says the session (or key) is gone, as opposed to a wrong password
 * at sign-in or a missing admin token (which carry no or another challenge). */
export function sessionEnded(status, challenge) {
  return status === 401 && /realm="masterstream"/.test(challenge ?? "");
}

/** The error for a failed response (reads its problem document when it has one); a
 * response to a request that carried its own credentials never ends the session. */
export async function errorOf(response, { ownCredentials = false } = {}) {
  if (!ownCredentials && sessionEnded(response.status, response.headers.get("www-authenticate"))) {
    sessionEvents.dispatchEvent(new CustomEvent("ended", { detail: { url: response.url } }));
  }
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

/** A state-changing call: a JSON body (the server's CSRF rules take JSON only), the
 * answer's JSON (null for 204), problem documents as ApiErrors. */
export async function sendJSON(method, url, body = undefined, headers = {}) {
  const init = { method, headers: { ...headers }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  if (!response.ok) throw await errorOf(response, { ownCredentials: "Authorization" in headers });
  return response.status === 204 ? null : response.json();
}

/** An admin call: Bearer token when one is given; 401/403 become ApiErrors. */
export function adminCall(method, url, token, body = undefined) {
  return sendJSON(method, url, body, token ? { Authorization: `Bearer ${token}` } : {});
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
  return serverUrl(`/api/tracks/${track.id}/chunks/${chunk}?${params}`);
}

function itemsOf(body) {
  if (Array.isArray(body)) return body;
  return body?.items ?? [];
}

/** Every track, page by page. */
export async function allTracks(pageSize = 500) {
  const tracks = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = await getJSON(serverUrl(`/api/tracks?offset=${offset}&limit=${pageSize}`));
    tracks.push(...itemsOf(page));
    if (itemsOf(page).length < pageSize || tracks.length >= (page.total ?? 0)) return tracks;
  }
}

/** The catalog: tracks, and albums/artists when the server has them (null otherwise). */
export async function loadCatalog() {
  const [tracks, albums, artists] = await Promise.all([
    allTracks(),
    optionalJSON(serverUrl("/api/albums?limit=500")).catch(() => null),
    optionalJSON(serverUrl("/api/artists?limit=500")).catch(() => null),
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
  const body = await optionalJSON(serverUrl("/api/formats")).catch(() => null);
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
