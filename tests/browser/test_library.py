"""Browsing and the queue in a real Chromium: albums with covers, search, play an album,
play next, add, reorder, remove, clear."""

from __future__ import annotations

import pytest

from .conftest import TRACKS

pytestmark = pytest.mark.timeout(120)


def queue_titles(app) -> list[str]:
    titles = app.page.locator("#queue .q-title").all_text_contents()
    return [t.strip().removeprefix("▶ ") for t in titles]


def test_albums_with_covers_and_playing_an_album(app):
    page = app.page
    cover = page.locator(".album-card img").first
    cover.wait_for()
    loaded = "(img) => img.complete && img.naturalWidth > 0"
    page.wait_for_function(loaded, arg=cover.element_handle())
    app.button("Open album Test Album").click()
    rows = page.get_by_role("list", name="Album tracks").get_by_role("listitem")
    rows.nth(len(TRACKS) - 1).wait_for()  # the album's tracks are fetched after it opens
    assert rows.count() >= len(TRACKS)  # (+1 until the player test deletes its broken track)
    app.button("Play album").click()
    app.wait_text("now-title", starts="Alpha")
    assert queue_titles(app)[0] == "Alpha" and len(queue_titles(app)) == rows.count()


def test_search_finds_a_track_by_a_prefix(app):
    page = app.page
    page.get_by_role("searchbox", name="Search the library").fill("gam")
    app.button("Play Gamma").wait_for()
    assert app.button("Play Alpha").count() == 0
    app.wait_text("library-status", contains="“gam”")
    app.button("Play Gamma").click()
    app.wait_text("now-title", starts="Gamma")


def test_queue_play_next_add_reorder_remove_clear(app):
    page = app.page
    page.get_by_role("button", name="Tracks", exact=True).click()
    app.button("Add to queue: Alpha").click()
    app.button("Add to queue: Beta").click()
    app.button("Queue next: Gamma").click()
    assert queue_titles(app) == ["Alpha", "Gamma", "Beta"]
    app.button("Move down: Gamma").click()
    assert queue_titles(app) == ["Alpha", "Beta", "Gamma"]
    app.button("Move up: Gamma").click()
    app.button("Remove from queue: Beta").click()
    assert queue_titles(app) == ["Alpha", "Gamma"]
    app.button("Play from queue: Gamma").click()
    app.wait_text("now-title", starts="Gamma")
    app.wait_position(0.2)
    app.button("Add to queue: Beta").click()
    app.button("Clear queue").click()
    assert queue_titles(app) == ["Gamma"]
    assert page.locator("#queue li[aria-current=true]").count() == 1
    app.wait_position(0.6)  # playing on: clearing keeps what plays
