"""The dashboard in a real Chromium: live figures that move when a track plays, charts
seeded from the monitor's history, a feed that reconnects, and admin actions that show
401/403 plainly and work with the token."""

from __future__ import annotations

import time

import pytest

from .conftest import ADMIN_TOKEN

pytestmark = pytest.mark.timeout(120)


def open_dashboard(app) -> None:
    app.page.get_by_role("link", name="Dashboard").click()
    app.page.locator("#total-requests").wait_for(timeout=20_000)


def total_requests(app) -> int:
    return int(app.page.locator("#total-requests").text_content())


def test_figures_and_charts_follow_playback(app):
    opened_ms = time.time() * 1000
    open_dashboard(app)
    assert app.page.get_by_role("link", name="Dashboard").get_attribute("aria-current") == "page"
    app.wait_for("() => window.masterstream.data.series.tier1_mb.points.length >= 2")
    seeded = app.page.evaluate("() => window.masterstream.data.series.tier1_mb.points[0].t")
    assert seeded < opened_ms - 1000  # from /api/cache/history, older than the page
    before = total_requests(app)
    app.play_track("Gamma")
    app.wait_position(0.5)
    open_dashboard(app)
    app.wait_for("(n) => Number(document.getElementById('total-requests').textContent) > n", before)
    assert total_requests(app) > before
    completion = app.page.locator("#completion")
    completion.wait_for()
    app.wait_text("completion", contains="Gamma")
    charts = app.page.locator(".dash-card svg.chart")
    assert charts.count() == 4
    assert app.page.locator(".dash-card svg.chart path.line").count() >= 4
    assert app.page.locator("#health-status").text_content() in {"healthy", "warning", "critical"}
    latency = app.page.get_by_role("region", name="Latency by source (ms)")
    latency.get_by_role("button", name="p99").click()
    assert latency.get_by_role("button", name="p99").get_attribute("aria-pressed") == "true"
    assert latency.get_by_role("img", name="p99 latency by source").count() == 1
    renders = app.page.locator("#render-figures dd").first
    assert int(renders.text_content().split()[0]) >= 1
    assert "Live feed: connected" in app.page.locator("#connection").text_content()


def test_the_feed_reconnects_and_says_so(app):
    app.wait_for("() => window.masterstream.feed.state === 'open'")
    app.page.evaluate("() => window.masterstream.feed.socket.close()")
    badge = app.page.locator("#connection")
    app.wait_for("() => document.getElementById('connection').dataset.state === 'waiting'")
    assert "retrying in" in badge.text_content()
    app.wait_for("() => document.getElementById('connection').dataset.state === 'open'")
    assert badge.text_content() == "Live feed: connected"
    assert len([url for url in app.sockets if url.endswith("/ws")]) == 2


def test_admin_actions_ask_for_the_token_and_show_401_and_403(app):
    open_dashboard(app)
    result = app.page.locator("#admin-result")
    app.page.get_by_label("Track to warm or clear").select_option(label="Alpha")
    app.button("Clear track").click()
    app.wait_text("admin-result", contains="failed")
    assert "401" in result.text_content() and "error" in result.get_attribute("class")
    app.page.get_by_label("Admin token", exact=True).fill("not-the-token")
    app.button("Clear track").click()
    app.wait_text("admin-result", contains="403")
    assert "not valid" in result.text_content()
    app.page.get_by_label("Admin token", exact=True).fill(ADMIN_TOKEN)
    app.button("Clear track").click()
    app.wait_text("admin-result", starts="Cleared Alpha")
    assert "ok" in result.get_attribute("class")
    app.button("Warm track").click()
    app.wait_text("admin-result", starts="Warming Alpha")
    app.button("Clear all").click()  # confirm() is accepted by the page fixture
    app.wait_text("admin-result", starts="Cleared the cache")
