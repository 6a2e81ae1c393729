"""The player in a real Chromium against a real server: play, seek, change the preset
mid-play, compare with the original, run across a track boundary, show a failure."""

from __future__ import annotations

import httpx
import pytest

from .conftest import ADMIN_TOKEN, BROKEN, CHUNK_S, TRACKS
from .pages import assert_abut, assert_started_as_logged, chunk_request

pytestmark = pytest.mark.timeout(120)


def appended(app, track_id: int | None = None) -> list[dict]:
    return [e for e in app.log() if e["kind"] == "append" and track_id in (None, e["trackId"])]


def test_play_a_track_by_its_row_and_seek_advances(app):
    app.play_track("Alpha")
    assert app.button("Pause").is_visible()
    assert float(app.seek.get_attribute("aria-valuemax")) == TRACKS["Alpha"][1]
    first = app.wait_position(0.5)
    second = app.wait_position(first + 1.0)
    assert second > first
    alpha = app.track_id("Alpha")
    entries = appended(app, alpha)
    assert [e["chunk"] for e in entries[:2]] == [0, 1]
    assert_abut(entries)
    assert_started_as_logged(app, entries)
    requests = [r for r in app.chunk_requests() if r.track_id == alpha]
    assert {(r.preset, r.fmt) for r in requests} == {("adaptive", "flac")}
    assert all(r.version for r in requests)  # versioned URLs: cacheable for good
    app.button("Pause").click()
    paused = app.position()
    app.page.wait_for_timeout(600)
    assert app.position() == pytest.approx(paused, abs=0.25)
    assert app.button("Play").is_visible()


def test_preset_change_mid_play_refetches_ahead_and_keeps_the_schedule_exact(app):
    app.play_track("Gamma")
    gamma = app.track_id("Gamma")
    app.wait_log("(e) => e.kind === 'append'", 2)
    app.wait_position(0.3)
    app.page.get_by_role("combobox", name="Preset").select_option("warm")
    app.wait_log("(e) => e.preset === 'warm' && ['replace', 'crossfade'].includes(e.kind)")
    app.wait_for("""() => { const p = window.masterstream.player;
        const ahead = p.timeline.unfinished(p.graph.nowFrame);
        return ahead.every((s) => s.variant.preset === 'warm'); }""")
    warm = [r for r in app.chunk_requests() if r.track_id == gamma and r.preset == "warm"]
    playing_chunk = int(app.position() // CHUNK_S)
    assert warm and min(r.chunk for r in warm) <= playing_chunk + 1
    segments = [s for s in app.segments() if s["trackId"] == gamma]
    assert_abut(segments)
    assert segments[-1]["preset"] == "warm"
    log = app.log()
    swapped = [e for e in log if e["kind"] in ("replace", "crossfade")]
    assert {e["preset"] for e in swapped} == {"warm"}
    assert_started_as_logged(app, [e for e in log if e["kind"] in ("append", "replace")])
    assert_abut([e for e in log if e["kind"] == "append" and e["trackId"] == gamma])
    fade = [e for e in swapped if e["kind"] == "crossfade"]
    assert all(e["startFrame"] < e["atFrame"] < e["startFrame"] + e["frames"] for e in fade)


def test_seek_with_the_slider_and_the_keyboard(app):
    app.play_track("Gamma")
    app.wait_position(0.2)
    app.seek.fill("4.5")
    landed = app.wait_position(4.5)
    assert landed < 5.5
    gamma = app.track_id("Gamma")
    after_seek = [e for e in appended(app, gamma) if e["offsetFrames"] > 0]
    assert after_seek and after_seek[-1]["chunk"] == 2
    assert after_seek[-1]["offsetFrames"] == round((4.5 - 2 * CHUNK_S) * after_seek[-1]["rate"])
    app.page.evaluate("() => document.activeElement.blur()")  # shortcuts act outside controls
    app.page.keyboard.press("ArrowLeft")  # -10 s: back to the start
    app.wait_for("() => Number(document.getElementById('seek').ariaValueNow) < 1.5")


def test_compare_with_original_is_level_matched(app, server):
    app.play_track("Beta")
    beta = app.track_id("Beta")
    app.wait_position(0.3)
    compare = app.button("Compare with original")
    compare.click()
    assert compare.get_attribute("aria-pressed") == "true"
    app.wait_for("""() => { const g = window.masterstream.player.graph;
        return g.original.gain.value > 0.99 && g.mastered.gain.value < 0.01; }""")
    originals = [r for r in app.chunk_requests() if r.track_id == beta and r.preset == "original"]
    assert originals
    view = httpx.get(f"{server.base_url}/api/tracks/{beta}/mastering", timeout=30).json()
    gain_db = view["level_match"]["original_gain_db"]
    match = view["level_match"]  # the plan's loudness ("after" may be measured by now)
    loudness = match["mastered_lufs"] - match["original_lufs"]
    assert gain_db == pytest.approx(loudness, abs=0.01)
    shown = app.page.locator("#compare-gain").text_content()
    assert f"{abs(gain_db):.1f} dB" in shown and "level-matched" in shown
    source_gain = app.page.evaluate("""() => { const p = window.masterstream.player;
        return p.currentSegment.original.level.gain.value; }""")
    assert source_gain == pytest.approx(10 ** (gain_db / 20), rel=1e-3)
    app.page.evaluate("() => document.activeElement.blur()")
    app.page.keyboard.press("a")  # the A key switches back
    assert compare.get_attribute("aria-pressed") == "false"
    app.wait_for("() => window.masterstream.player.graph.mastered.gain.value > 0.99")


def test_the_queue_runs_on_into_the_next_track_without_a_gap(app):
    app.play_track("Beta")
    app.wait_position(0.2)
    app.seek.fill(str(TRACKS["Beta"][1] - 1.2))
    app.wait_text("now-title", starts="Gamma")
    beta, gamma = app.track_id("Beta"), app.track_id("Gamma")
    entries = [e for e in app.log() if e["kind"] == "append"]
    last_beta = max(i for i, e in enumerate(entries) if e["trackId"] == beta)
    boundary = entries[last_beta : last_beta + 2]
    assert [e["trackId"] for e in boundary] == [beta, gamma] and boundary[1]["chunk"] == 0
    assert_abut(boundary)
    assert_started_as_logged(app, boundary)
    assert float(app.seek.get_attribute("aria-valuemax")) == TRACKS["Gamma"][1]
    assert app.page.evaluate("() => window.masterstream.player.timeline.gaps") == 0


def test_a_track_that_cannot_play_says_why_and_the_queue_moves_on(app, server, library_dir):
    broken = app.track_id(BROKEN)
    next(library_dir.rglob(f"*{BROKEN}.wav")).unlink()  # after the page listed it
    httpx.delete(f"{server.base_url}/api/cache/tracks/{broken}", timeout=30,
                 headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})  # fmt: skip
    app.play_track(BROKEN)
    notice = app.page.get_by_role("alert").locator(".notice").first
    notice.wait_for(timeout=20_000)
    refused = [r for r in app.failures if (c := chunk_request(r.url)) and c.track_id == broken]
    assert refused, [r.url for r in app.failures]
    problem = refused[-1].json()  # the answer the player gave up on (503s are retried)
    assert refused[-1].headers["content-type"] == "application/problem+json"
    assert BROKEN in notice.text_content()
    assert problem["detail"] in notice.text_content()  # the problem document's own words
    app.wait_text("now-title", starts="Beta")
    app.wait_position(0.3)
