"""A real ``masterstream serve`` and Debian's Chromium driven by Playwright.

The library is four short tone tracks in ``Artist/Album/NN - Title.wav`` folders (so the
server groups them into an album; one is deleted by the test of a track that cannot play),
served in 2-second chunks. Every page records the requests and WebSockets it opens and the real
``AudioBufferSourceNode.start`` calls it makes (an init script wraps the method).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import write_tone
from tests.e2e.server_process import ServerProcess

from .pages import AppPage

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--autoplay-policy=no-user-gesture-required", "--disable-gpu",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run",
]  # fmt: skip
ADMIN_TOKEN = "browser-admin-token"
CHUNK_S = 2.0
TRACKS = {  # title: (track number, duration_s, frequency_hz), in album order
    "Alpha": (1, 5.0, 330.0),
    "Beta": (3, 4.2, 440.0),
    "Gamma": (4, 6.0, 550.0),
}
BROKEN = "Broken Tone"  # track 2: its file is deleted by the test that plays it


@pytest.fixture(scope="session")
def library_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser-library")
    album = root / "music" / "Test Artist" / "Test Album"
    album.mkdir(parents=True)
    for title, (number, duration_s, frequency_hz) in TRACKS.items():
        write_tone(album / f"{number:02d} - {title}.wav", duration_s=duration_s,
                   frequency_hz=frequency_hz, amplitude=0.3)  # fmt: skip
    write_tone(album / f"02 - {BROKEN}.wav", duration_s=3.0, frequency_hz=220.0)
    return root


@pytest.fixture(scope="session")
def server(library_dir: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(
        library_dir,
        "--library", str(library_dir / "music"), "--data-dir", str(library_dir / "data"),
        "--admin-token", ADMIN_TOKEN, "--stats-interval", "0.5",
        env={"MASTERSTREAM_CHUNK_DURATION_S": str(CHUNK_S), "MASTERSTREAM_RENDER_WORKERS": "2"},
    ).start()  # fmt: skip
    deadline = time.monotonic() + 60
    while httpx.get(f"{process.base_url}/api/tracks").json()["total"] < len(TRACKS) + 1:
        assert time.monotonic() < deadline, "the library was not scanned in 60 s"
        time.sleep(0.2)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module (Playwright's sync API holds an event loop while it runs,
    so it must not outlive the module: other modules run asyncio tests)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def app(browser, server) -> Iterator[AppPage]:
    """A fresh browser context (empty storage) on the app, ready."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    app_page = AppPage(page, server.base_url)
    app_page.open()
    yield app_page
    app_page.assert_stayed_on_loopback()
    context.close()
