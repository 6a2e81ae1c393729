"""Accessible names (a contract), keyboard use, intensity, memory across reloads, phone
width and dark mode, in a real Chromium."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.timeout(120)


def test_the_accessible_names_of_the_contract(app, server):
    page = app.page
    for name in ("Play", "Next track", "Previous track", "Compare with original"):
        assert app.button(name).count() == 1, name
    seek = page.get_by_role("slider", name="Seek")
    assert seek.get_attribute("aria-valuenow") is not None
    intensity = page.get_by_role("slider", name="Intensity")
    assert (intensity.get_attribute("min"), intensity.get_attribute("max")) == ("0", "1")
    presets = [p["name"] for p in httpx.get(f"{server.base_url}/api/presets").json()]
    options = page.get_by_role("combobox", name="Preset").locator("option").all_text_contents()
    assert options == presets
    for name in ("Library", "Dashboard"):
        assert page.get_by_role("link", name=name, exact=True).count() == 1
    page.get_by_role("button", name="Tracks", exact=True).click()
    titles = httpx.get(f"{server.base_url}/api/tracks").json()["items"]
    for track in titles:
        assert app.button(f"Play {track['title']}").count() == 1, track["title"]


def test_keyboard_only(app):
    page = app.page
    page.get_by_role("button", name="Tracks", exact=True).focus()
    page.keyboard.press("Enter")
    row = app.button("Play Beta")
    row.focus()
    page.keyboard.press("Enter")
    app.wait_position(0.3)
    page.evaluate("() => document.activeElement.blur()")  # shortcuts act outside controls
    page.keyboard.press(" ")  # play/pause
    app.button("Play").wait_for()
    page.keyboard.press(" ")
    app.button("Pause").wait_for()
    page.keyboard.press("n")  # next track
    app.wait_text("now-title", starts="Gamma")
    page.keyboard.press("m")  # mute
    assert page.get_by_role("button", name="Mute").get_attribute("aria-pressed") == "true"
    page.keyboard.press("d")
    assert page.url.endswith("#/dashboard")


def test_intensity_takes_effect_and_everything_is_remembered(app):
    page = app.page
    app.play_track("Gamma")
    listed = page.locator(".track-row").count()  # the queue: the list Gamma was played from
    app.wait_position(0.2)
    page.get_by_role("combobox", name="Preset").select_option("bright")
    page.get_by_role("slider", name="Intensity").fill("0.7")
    gamma = app.track_id("Gamma")
    app.wait_for("""() => window.masterstream.player.timeline.segments.some(
        (s) => s.variant.intensity === 0.7 && s.variant.preset === 'bright')""")
    assert any(r.track_id == gamma and r.preset == "bright" and r.intensity == 0.7
               for r in app.chunk_requests())  # fmt: skip
    app.seek.fill("3.2")
    app.wait_position(3.2)
    app.button("Pause").click()
    page.wait_for_timeout(1200)  # position is saved once a second
    kept = app.position()
    app.open()
    assert page.locator("#now-title").text_content() == "Gamma"
    assert page.get_by_role("combobox", name="Preset").input_value() == "bright"
    assert page.get_by_role("slider", name="Intensity").input_value() == "0.7"
    assert app.position() == pytest.approx(kept, abs=0.3)
    assert page.locator("#queue li").count() == listed
    app.button("Play").click()
    app.wait_position(kept + 0.3)


def test_phone_width_and_dark_mode(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    page = context.new_page()
    page.goto(server.base_url + "/")
    page.wait_for_selector("html[data-ready=true]")
    controls = [("button", "Play"), ("slider", "Seek"), ("combobox", "Preset"),
                ("slider", "Intensity"), ("button", "Compare with original")]  # fmt: skip
    for role, name in controls:
        locator = page.get_by_role(role, name=name, exact=True)
        box = locator.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, locator
        assert box["y"] + box["height"] <= 844, locator
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(17, 20, 24)"  # the dark palette's --bg
    context.close()
