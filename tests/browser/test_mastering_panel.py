"""The Mastering panel in a real Chromium: while the server measures the mastered output
the panel says so, asks again, and then shows the measured figures the API gives."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.timeout(120)
PRESET = "gentle"  # no other browser test asks for it: its first view is still measuring


def level(value: float, unit: str) -> str:
    """As the panel writes a level (format.mjs formatLevel)."""
    return f"{'−' if value < 0 else ''}{abs(value):.1f} {unit}"


def test_panel_shows_measuring_then_the_measured_figures(app, server):
    app.play_track("Alpha")
    app.page.get_by_role("combobox", name="Preset").select_option(PRESET)
    shows = "(words) => { const t = document.getElementById('mastering').textContent;"
    app.wait_for(f"{shows} return t.includes(words[0]) && t.includes(words[1]); }}",
                 [f"{PRESET} at intensity", "measuring…"])  # fmt: skip
    app.wait_for(f"{shows} return t.includes(words[0]) && !t.includes(words[1]); }}",
                 [f"{PRESET} at intensity", "measuring…"])  # fmt: skip
    alpha = app.track_id("Alpha")
    view = httpx.get(f"{server.base_url}/api/tracks/{alpha}/mastering",
                     params={"preset": PRESET}, timeout=30).json()  # fmt: skip
    assert view["measuring"] is False and view["after"]["estimated"] == []
    shown = app.page.locator("#mastering .mastering-figures").text_content()
    after = view["after"]
    for key, unit in (("integrated_lufs", "LUFS"), ("loudness_range_lu", "LU"),
                      ("true_peak_dbtp", "dBTP"), ("crest_factor_db", "dB")):  # fmt: skip
        assert level(after[key], unit) in shown, (key, shown)
    assert "(est.)" not in shown and "(at most)" not in shown
