"""Screenshots of the web app for the README, taken by Debian's Chromium (run by hand).

    .venv/bin/python -m tests.browser.screenshots [--data-dir DIR] [--out docs/screenshots]

Starts ``masterstream serve`` on the demo library (synthesised into DIR on first use),
plays an album, switches the preset, then photographs the player (light, dark, phone
width) and the dashboard after a little listening; last, it creates the first admin
(``SHOTS_ACCOUNT``) and photographs the Settings page.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.server_process import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
SHOTS = {  # name: (width, height, colour scheme)
    "player": (1440, 1020, "light"),
    "player-dark": (1440, 1020, "dark"),
    "player-phone": (390, 844, "light"),
}
SHOTS_ACCOUNT = ("demo", "demo-password")  # the first admin of the screenshots' data dir


def wait_ready(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("html[data-ready=true]", timeout=30_000)


def play_for(page: Page, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page.wait_for_timeout(250)


def take(page: Page, base_url: str, out: Path, name: str) -> None:
    wait_ready(page, base_url + "/")
    page.get_by_role("button", name="Play album Harbor Lights").click()
    play_for(page, 6)
    page.get_by_role("combobox", name="Preset").select_option("warm")
    page.get_by_role("slider", name="Intensity").fill("0.8")
    play_for(page, 5)
    page.locator("#mastering svg").first.wait_for()
    page.screenshot(path=str(out / f"{name}.png"))


def settings_shot(page: Page, base_url: str, out: Path) -> None:
    """Create the first admin (or sign in as it, left by an interrupted run), photograph
    the Settings page with an API key just created, then remove the account."""
    name, password = SHOTS_ACCOUNT
    credentials = {"name": name, "password": password}
    origin = {"Origin": base_url}
    answer = page.request.post(base_url + "/api/setup", data=credentials, headers=origin)
    if answer.status == 409:
        answer = page.request.post(base_url + "/api/session", data=credentials, headers=origin)
    if not answer.ok:
        raise RuntimeError(f"cannot sign in as {name}: {answer.status} {answer.text()}")
    wait_ready(page, base_url + "/#/settings")
    page.get_by_label("Label").fill("laptop scripts")
    page.get_by_role("button", name="Create API key").click()
    page.locator(".shown-once").wait_for()
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(out / "settings.png"))
    # Remove the account again (the last admin may go with the last user): the next run's
    # data dir serves loopback without sign-in, as on first start.
    page.request.delete(f"{base_url}/api/users/{name}", headers=origin)


def analyse(base_url: str) -> None:
    """Wait for the background scan, then make sure every track has its fingerprint (the
    track route computes a missing one), so the Mastering panel has something to show."""
    deadline = time.monotonic() + 300
    while httpx.get(f"{base_url}/api/albums").json()["total"] == 0:
        if time.monotonic() > deadline:
            raise RuntimeError("the demo library was not scanned in 300 s")
        time.sleep(1)
    for track in httpx.get(f"{base_url}/api/tracks").json()["items"]:
        httpx.get(f"{base_url}/api/tracks/{track['id']}", timeout=120).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "ms-shots")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    server = ServerProcess(args.data_dir, "--data-dir", str(args.data_dir), "--stats-interval", "1")
    server.start(timeout_s=300)
    try:
        analyse(server.base_url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            for name, (width, height, scheme) in SHOTS.items():
                context = browser.new_context(
                    viewport={"width": width, "height": height}, color_scheme=scheme
                )
                take(context.new_page(), server.base_url, args.out, name)
                context.close()
            context = browser.new_context(viewport={"width": 1440, "height": 1280})
            page = context.new_page()
            take(page, server.base_url, args.out, "player-session")
            page.get_by_role("link", name="Dashboard").click()
            play_for(page, 20)
            page.evaluate("() => window.scrollTo(0, 0)")
            page.screenshot(path=str(args.out / "dashboard.png"))
            (args.out / "player-session.png").unlink()
            context = browser.new_context(viewport={"width": 1280, "height": 1900})
            settings_shot(context.new_page(), server.base_url, args.out)  # last: users exist now
            browser.close()
    finally:
        server.stop()
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
