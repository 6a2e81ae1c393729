"""The web app on loopback, in Debian's Chromium: first paint, ready, and time to sound.

Each run is a fresh browser context (empty HTTP cache and storage) against one
``masterstream serve`` of the demo library (10 s chunks, FLAC):

* first paint — the page's ``first-contentful-paint`` entry (goal: <= 1 s), next to the
  anchor: the first paint of the app's icon (one small SVG) from the same server;
* ready — navigation start to the app having loaded the catalog and wired the player;
* first sound — the click on "Play <title>" to the moment the first chunk is scheduled to
  sound (the wrapped ``AudioBufferSourceNode.start``: call time plus ``when`` minus the
  context's clock), once for a chunk the cache holds and once for a variant not cached yet
  (a new intensity each run, so the chunk is rendered on request; the preset is planned
  before the runs).

Medians over the runs, with min and max. The machine is shared: see the load line.

Run:  .venv/bin/python -m bench.web_first_paint [--runs 7] [--data-dir DIR]
Writes bench/results/web_first_paint.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.pages import RECORD_STARTS
from tests.e2e.server_process import ServerProcess

RESULTS = Path(__file__).resolve().parent / "results"
WEB = Path(__file__).resolve().parents[1] / "src" / "masterstream" / "web"
TRACK = "Wall of Sound"
FIRST_SOUND = """() => { const s = window.__audioStarts[0];
  return s ? s.calledMs + (s.when - s.at) * 1000 : null; }"""
PAINTED = "() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null"
READY = "() => performance.getEntriesByName('masterstream-ready')[0].startTime"
MARK_CALLS = """(() => { const starts = window.__audioStarts;
  const push = starts.push.bind(starts);
  starts.push = (entry) => push({ ...entry, calledMs: performance.now() });
  document.addEventListener("click", () => { window.__clickedMs = performance.now(); }, true);
})();"""


def wait_ready(base_url: str) -> None:
    deadline = time.monotonic() + 300
    while httpx.get(f"{base_url}/api/tracks").json()["total"] < 6:
        if time.monotonic() > deadline:
            raise RuntimeError("the demo library was not scanned in 300 s")
        time.sleep(1)


def one_run(browser, base_url: str, intensity: float) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.add_init_script(RECORD_STARTS + MARK_CALLS)
    stored = json.dumps({"intensity": intensity})
    page.add_init_script(f"localStorage.setItem('masterstream:v1', '{stored}')")
    page.goto(base_url + "/")
    page.wait_for_selector("html[data-ready=true]")
    ready_ms = page.evaluate(READY)
    paint_ms = page.evaluate(PAINTED)
    page.get_by_role("button", name="Tracks", exact=True).click()
    page.get_by_role("button", name=f"Play {TRACK}", exact=True).click()
    page.wait_for_function(FIRST_SOUND, timeout=60_000)
    sound_ms = page.evaluate(FIRST_SOUND) - page.evaluate("() => window.__clickedMs")
    context.close()
    return {"first_paint_ms": paint_ms, "ready_ms": ready_ms, "first_sound_ms": sound_ms}


def anchor_paint(browser, base_url: str) -> float:
    """First paint of the app's own icon (one small SVG from the same server): the floor."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.goto(base_url + "/")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    page.goto(base_url + icon)
    page.wait_for_function(PAINTED)
    paint_ms = page.evaluate(PAINTED)
    context.close()
    return paint_ms


def table_row(label: str, figures: dict[str, float]) -> str:
    cells = " | ".join(f"{figures[k]:.0f} ms" for k in ("median", "min", "max"))
    return f"| {label} | {cells} |"


def git_commit() -> str:
    command = ["git", "rev-parse", "--short", "HEAD"]
    return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="default: a fresh temporary directory (nothing cached)")  # fmt: skip
    args = parser.parse_args()
    args.data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="ms-bench-web-"))
    server = ServerProcess(args.data_dir, "--data-dir", str(args.data_dir)).start(timeout_s=300)
    try:
        wait_ready(server.base_url)
        track = next(t for t in httpx.get(f"{server.base_url}/api/tracks").json()["items"]
                     if t["title"] == TRACK)  # fmt: skip
        httpx.get(f"{server.base_url}/api/tracks/{track['id']}/mastering", timeout=120)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            one_run(browser, server.base_url, 1.0)  # warm-up: the browser's own start-up
            cached = [one_run(browser, server.base_url, 1.0) for _ in range(args.runs)]
            rendered = [one_run(browser, server.base_url, 0.5 + i / 100) for i in range(args.runs)]
            anchors = [anchor_paint(browser, server.base_url) for _ in range(args.runs)]
            browser.close()
    finally:
        server.stop()
    runs = cached + rendered
    assets = sorted(p for p in WEB.rglob("*") if p.suffix in (".mjs", ".css"))
    result = {
        "runs": args.runs,
        "first_paint_ms": summary([r["first_paint_ms"] for r in runs]),
        "anchor_paint_ms": summary(anchors),
        "ready_ms": summary([r["ready_ms"] for r in runs]),
        "first_sound_cached_ms": summary([r["first_sound_ms"] for r in cached]),
        "first_sound_rendered_ms": summary([r["first_sound_ms"] for r in rendered]),
        "js_css_bytes": sum(p.stat().st_size for p in assets),
        "load_average": os.getloadavg(),
        "commit": git_commit(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "web_first_paint.json").write_text(json.dumps(result, indent=2) + "\n")
    rows = [("first paint", "first_paint_ms"),
            ("anchor: first paint of icon.svg alone", "anchor_paint_ms"),
            ("app ready", "ready_ms"),
            ("first sound, chunk cached", "first_sound_cached_ms"),
            ("first sound, chunk rendered on request", "first_sound_rendered_ms")]  # fmt: skip
    lines = [
        "# Web app on loopback (Chromium, fresh context per run)",
        "",
        "Command: `.venv/bin/python -m bench.web_first_paint "
        f"--runs {args.runs}` (commit {result['commit']})",
        "",
        "| | median | min | max |",
        "|---|---:|---:|---:|",
        *(table_row(label, result[key]) for label, key in rows),
        "",
        f"JS + CSS: {result['js_css_bytes'] / 1024:.1f} KB uncompressed (budget 200 KB).",
        f"Load average at the end: {', '.join(f'{x:.2f}' for x in result['load_average'])} "
        "(2 cores, shared with other work).",
        "",
    ]
    (RESULTS / "web_first_paint.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
