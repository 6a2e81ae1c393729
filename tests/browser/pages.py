"""The app as the browser tests drive it: accessible controls, the player's schedule, the
real ``AudioBufferSourceNode.start`` calls, and every request the page made."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

# Wraps AudioBufferSourceNode.start before the app loads: every call is recorded with the
# context time at the call and the buffer it plays.
RECORD_STARTS = """
(() => {
  const starts = [];
  const start = AudioBufferSourceNode.prototype.start;
  AudioBufferSourceNode.prototype.start = function (when = 0, offset = 0, duration) {
    starts.push({ when, offset, duration: duration ?? null, at: this.context.currentTime,
                  length: this.buffer ? this.buffer.length : null, rate: this.context.sampleRate });
    return start.apply(this, arguments);
  };
  window.__audioStarts = starts;
})();
"""
SEGMENTS = """() => window.masterstream.player.timeline.segments.map((s) => ({
  trackId: s.trackId, chunk: s.chunk, startFrame: s.startFrame, frames: s.frames,
  offsetFrames: s.offsetFrames, gapFrames: s.gapFrames, preset: s.variant.preset }))"""


@dataclass(frozen=True)
class ChunkRequest:
    track_id: int
    chunk: int
    preset: str
    intensity: float
    fmt: str
    version: str | None


def chunk_request(url: str) -> ChunkRequest | None:
    parts = urlsplit(url)
    segments = parts.path.strip("/").split("/")
    if len(segments) != 5 or segments[:2] != ["api", "tracks"] or segments[3] != "chunks":
        return None
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return ChunkRequest(int(segments[2]), int(segments[4]), query.get("preset", ""),
                        float(query.get("intensity", "nan")), query.get("format", ""),
                        query.get("v"))  # fmt: skip


class AppPage:
    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.requests: list[str] = []
        self.sockets: list[str] = []
        self.errors: list[str] = []
        self.failures: list[Any] = []  # responses >= 400
        page.add_init_script(RECORD_STARTS)
        page.on("response", self._response)
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("websocket", lambda socket: self.sockets.append(socket.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", lambda dialog: dialog.accept())

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.failures.append(response)

    def open(self, path: str = "/") -> None:
        self.page.goto(self.base_url + path)
        self.page.wait_for_selector("html[data-ready=true]", timeout=20_000)

    def button(self, name: str) -> Any:
        return self.page.get_by_role("button", name=name, exact=True)

    @property
    def seek(self) -> Any:
        return self.page.get_by_role("slider", name="Seek")

    def position(self) -> float:
        return float(self.seek.get_attribute("aria-valuenow"))

    def play_track(self, title: str) -> None:
        self.page.get_by_role("link", name="Library").click()
        self.button("Tracks").click()  # the tabs appear once the catalog has loaded
        self.button(f"Play {title}").click()

    def wait_for(self, expression: str, arg: Any = None, timeout_s: float = 20.0) -> Any:
        return self.page.wait_for_function(expression, arg=arg, timeout=timeout_s * 1000)

    def wait_text(self, element_id: str, *, contains: str = "", starts: str = "") -> str:
        """Wait until the element's text contains ``contains`` and starts with ``starts``."""
        self.wait_for(
            "([id, part, head]) => { const t = document.getElementById(id)?.textContent ?? '';"
            " return t.includes(part) && t.startsWith(head); }",
            [element_id, contains, starts],
        )
        return self.page.locator(f"#{element_id}").text_content()

    def wait_log(self, predicate: str, count: int = 1) -> None:
        """Wait until ``count`` entries of the player's schedule log satisfy ``predicate``."""
        self.wait_for(
            f"(n) => window.masterstream.player.log.filter({predicate}).length >= n", count
        )

    def wait_position(self, at_least_s: float, timeout_s: float = 15.0) -> float:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.position() >= at_least_s:
                return self.position()
            time.sleep(0.1)
        raise AssertionError(f"Seek stayed at {self.position()} s (waited for {at_least_s} s)")

    def log(self) -> list[dict[str, Any]]:
        return self.page.evaluate("() => window.masterstream.player.log")

    def segments(self) -> list[dict[str, Any]]:
        return self.page.evaluate(SEGMENTS)

    def starts(self) -> list[dict[str, Any]]:
        return self.page.evaluate("() => window.__audioStarts")

    def chunk_requests(self) -> list[ChunkRequest]:
        return [r for r in map(chunk_request, self.requests) if r is not None]

    def track_id(self, title: str) -> int:
        return self.page.evaluate(
            "(t) => [...window.masterstream.player.tracks.values()].find((x) => x.title === t).id",
            title,
        )

    def assert_stayed_on_loopback(self) -> None:
        hosts = {urlsplit(url).hostname for url in self.requests + self.sockets}
        assert hosts == {"127.0.0.1"}, hosts
        assert self.errors == [], self.errors


def assert_abut(entries: list[dict[str, Any]]) -> None:
    """Each entry starts on the frame where the previous ends, with no gap."""
    for previous, entry in itertools.pairwise(entries):
        assert entry["startFrame"] == previous["startFrame"] + previous["frames"], (previous, entry)
        assert entry["gapFrames"] == 0, entry


def assert_started_as_logged(app: AppPage, entries: list[dict[str, Any]]) -> None:
    """Each logged segment was handed to Web Audio exactly so: start(frame / rate, offset),
    ahead of the clock, with a buffer holding exactly its frames (lossless chunks)."""
    starts = app.starts()
    for entry in entries:
        when = entry["startFrame"] / entry["rate"]
        offset = entry["offsetFrames"] / entry["rate"]
        matching = [s for s in starts if s["when"] == when and s["offset"] == offset]
        assert matching, (entry, starts[-5:])
        call = matching[-1]
        assert call["at"] < call["when"], call
        assert call["length"] - entry["offsetFrames"] == entry["frames"], (entry, call)
