"""Disk faults through a running server, on a real 1 MB tmpfs as its cache directory.

A full disk makes tier2 writes fail: the server keeps serving, and health (warn), the
cache monitor (an alert), /api/cache/stats and /metrics say so; once space is freed the
tier recovers by itself and the alert resolves. On a read-only filesystem a clear reports
only what it really removed, and the files that stayed. The tiers are exclusive: tier1
holds one chunk here, so each new chunk writes the one before it down to the disk.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from tests.conftest import write_tone
from tests.e2e.server_process import ServerProcess
from tests.tmpfs import fill, mounted_tmpfs, remount

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def cache_mount(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with mounted_tmpfs(tmp_path_factory.mktemp("disk") / "mnt", 1_000_000) as path:
        yield path


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory, cache_mount: Path) -> Iterator[httpx.Client]:
    root = tmp_path_factory.mktemp("disk-faults")
    (root / "music").mkdir()
    write_tone(root / "music" / "tone.wav", duration_s=12.0)
    server = ServerProcess(
        root, "--library", str(root / "music"), "--data-dir", str(root / "data"),
        "--cache-dir", str(cache_mount / "cache"), "--stats-interval", "0.2",
        "--tier1-mb", "0.2",  # one 1 s chunk (176 kB)
        env={"MASTERSTREAM_CHUNK_DURATION_S": "1.0", "MASTERSTREAM_RENDER_WORKERS": "2",
             "MASTERSTREAM_DISK_PROBE_INTERVAL_S": "1.0"},
    ).start()  # fmt: skip
    try:
        with httpx.Client(base_url=server.base_url, timeout=60) as client:
            yield client
    finally:
        server.stop()


def chunk(http: httpx.Client, index: int) -> None:
    response = http.get(f"/api/tracks/1/chunks/{index}", params={"preset": "original"})
    assert response.status_code == 200, response.text


def tier2(http: httpx.Client) -> dict:
    return http.get("/api/cache/stats").json()["tier2"]


def tier2_metrics(http: httpx.Client) -> dict[str, float]:
    """The tier2 samples of the write-error and degraded families on /metrics."""
    found = {}
    for family in text_string_to_metric_families(http.get("/metrics").text):
        for sample in family.samples:
            if sample.labels.get("tier") == "tier2" and sample.name in (
                "masterstream_cache_write_errors_total", "masterstream_cache_degraded"
            ):  # fmt: skip
                found[sample.name] = sample.value
    return found


def wait_until(check: Callable[[], bool], timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout_s} s: {check.__doc__ or check}")
        time.sleep(0.1)


def writes_settled(http: httpx.Client) -> bool:
    """The write errors stayed the same for 0.3 s, in the stats and on /metrics alike."""
    before = tier2(http)["write_errors"]
    time.sleep(0.3)
    metric = tier2_metrics(http)["masterstream_cache_write_errors_total"]
    return before == tier2(http)["write_errors"] == metric


def alert_ids(http: httpx.Client) -> set[str]:
    return {alert["id"] for alert in http.get("/api/cache/health").json()["alerts"]}


def test_a_full_disk_is_visible_and_the_tier_recovers_when_space_is_freed(
    http: httpx.Client, cache_mount: Path
) -> None:
    chunk(http, 0)
    chunk(http, 1)  # writes chunk 0 down
    wait_until(lambda: tier2(http)["chunks"] == 1)
    filler = fill(cache_mount)
    for index in range(2, 7):
        chunk(http, index)  # still served (from the render), the write-down fails
    wait_until(lambda: tier2(http)["degraded"])
    wait_until(lambda: writes_settled(http))  # write-downs run in the background
    stats = tier2(http)
    assert stats["write_errors"] >= 3 and stats["chunks"] == 1
    health = http.get("/api/health").json()
    assert health["status"] == "warn"
    tiers = health["checks"]["cache:tiers"][0]
    assert tiers["status"] == "warn" and "No space left on device" in tiers["output"]
    wait_until(lambda: "tier2_degraded" in alert_ids(http))
    metrics = tier2_metrics(http)
    assert metrics["masterstream_cache_degraded"] == 1.0
    assert metrics["masterstream_cache_write_errors_total"] == stats["write_errors"]

    filler.unlink()
    time.sleep(1.1)  # the probe interval
    wait_until(lambda: http.get("/api/health").json()["checks"]["cache:tiers"][0]["status"]
               == "pass")  # fmt: skip
    chunk(http, 7)  # writes chunk 6 down
    wait_until(lambda: tier2(http)["chunks"] == 2)
    wait_until(lambda: "tier2_degraded" not in alert_ids(http))
    assert tier2_metrics(http)["masterstream_cache_degraded"] == 0.0
    assert http.get("/api/health").json()["status"] == "pass"


def test_a_clear_on_a_read_only_disk_reports_what_it_really_removed(
    http: httpx.Client, cache_mount: Path
) -> None:
    for index in range(8, 10):
        chunk(http, index)  # writes chunks 7 and 8 down
    wait_until(lambda: tier2(http)["chunks"] == 4)  # 0 and 6 from before, 7 and 8: settled
    on_disk = len(list((cache_mount / "cache").glob("*.chunk")))
    in_memory = http.get("/api/cache/stats").json()["tier1"]["chunks"]
    remount(cache_mount, read_only=True)
    try:
        answer = http.post("/api/cache/clear").json()
        assert answer["removed_entries"] == in_memory  # tier1 only
        assert answer["failed_entries"] == on_disk
        assert len(list((cache_mount / "cache").glob("*.chunk"))) == on_disk
        assert tier2(http)["chunks"] == on_disk
    finally:
        remount(cache_mount, read_only=False)
    answer = http.post("/api/cache/clear").json()
    assert answer == {"removed_entries": on_disk, "failed_entries": 0, "track_id": None}
    assert not list((cache_mount / "cache").glob("*.chunk"))
