"""EndpointMetrics: incremental window summary equals a recomputation; O(1) record; errors."""

from __future__ import annotations

import gc
import sys
from collections import deque

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from masterstream.errors import MonitoringError
from masterstream.monitoring import EndpointMetrics, LogHistogram
from masterstream.monitoring.deferred import SETTLE_EVERY
from masterstream.monitoring.endpoint_metrics import NS_PER_MS, PERCENTILES, SOURCES

record_args = st.tuples(
    st.sampled_from(["/api/chunk", "/api/stream", "/api/info"]),
    st.sampled_from(SOURCES),
    st.floats(0.0, 5000.0, allow_nan=False),
    st.booleans(),
)


def expected_summary(records: list[tuple[str, str, float, bool]]) -> dict:
    """The window figures recomputed from scratch from the retained records."""
    ok = [r for r in records if r[3]]
    by_source = {s: [r[2] for r in ok if r[1] == s] for s in SOURCES}
    hits = len(by_source["tier1"]) + len(by_source["tier2"]) + len(by_source["shared"])
    lookups = hits + len(by_source["miss"])
    total_ns = sum(round(r[2] * NS_PER_MS) for r in records)
    overall = LogHistogram()
    for r in records:
        overall.add(r[2])
    out = {
        "total_requests": len(records),
        "cache_hits": hits,
        "cache_misses": len(by_source["miss"]),
        "errors": len(records) - len(ok),
        "tier1_hits": len(by_source["tier1"]),
        "tier2_hits": len(by_source["tier2"]),
        "shared_hits": len(by_source["shared"]),
        "hit_rate": hits / lookups if lookups else 0.0,
        "avg_time_ms": total_ns / len(records) / NS_PER_MS if records else 0.0,
    }
    for name, q in PERCENTILES:
        out[name] = overall.quantile(q)
    by = {}
    for source, values in by_source.items():
        hist = LogHistogram()
        for value in values:
            hist.add(value)
        by[source] = {"requests": len(values), **{n: hist.quantile(q) for n, q in PERCENTILES}}
    out["by_source"] = by
    return out


@settings(max_examples=80, deadline=None)
@given(st.lists(record_args, max_size=120), st.integers(1, 25))
def test_incremental_summary_equals_recomputation(records, max_history: int) -> None:
    metrics = EndpointMetrics(max_history=max_history)
    for args in records:
        metrics.record(*args)
    retained = records[-max_history:] if records else []
    assert [(r.endpoint, r.cache_source, r.processing_time_ms, r.success)
            for r in metrics.metrics] == retained  # fmt: skip
    assert metrics.summary == expected_summary(retained)
    per_endpoint = metrics.get_endpoint_stats()
    assert set(per_endpoint) == {r[0] for r in retained}
    for name, stats in per_endpoint.items():
        assert stats == expected_summary([r for r in retained if r[0] == name])
    all_time = metrics.get_summary()["all_time"]
    assert all_time["total_requests"] == len(records)
    assert all_time["errors"] == sum(not r[3] for r in records)
    assert all_time["tier2_hits"] == sum(r[3] and r[1] == "tier2" for r in records)


def profiled_calls(fn) -> int:
    """How many Python and C function calls ``fn()`` makes (deterministic)."""
    calls = 0

    def profiler(_frame, event, _arg) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    gc.disable()  # a collection mid-call would run finalizers and count their calls
    sys.setprofile(profiler)
    try:
        fn()
    finally:
        sys.setprofile(None)
        gc.enable()
    return calls


@pytest.mark.parametrize("full", [False, True])
def test_record_does_the_same_work_whatever_the_history_length(full: bool) -> None:
    costs = []
    for history in (10, 20_000):
        metrics = EndpointMetrics(max_history=history if full else 100_000)
        for i in range(history):
            metrics.record("/api/chunk", SOURCES[i % 3], 1.0 + i % 7)
        costs.append(profiled_calls(lambda m=metrics: m.record("/api/chunk", "tier1", 1.0)))
    assert costs[0] == costs[1]


def test_record_never_iterates_the_history() -> None:
    class NoScan(deque):
        def __iter__(self):
            raise AssertionError("record scanned the history")

        def __getitem__(self, index):
            raise AssertionError("record indexed the history")

    metrics = EndpointMetrics(max_history=50)
    metrics.metrics = NoScan()
    for i in range(500):
        metrics.record("/api/chunk", SOURCES[i % 3], float(i % 13), success=i % 11 != 0)
    assert len(metrics.metrics) == 50 and metrics.summary["total_requests"] == 50


def test_a_failed_request_is_an_error_never_a_hit() -> None:
    metrics = EndpointMetrics()
    metrics.record("/api/chunk", "tier1", 3.0, success=False)
    summary = metrics.get_summary()
    assert (summary["total_requests"], summary["errors"]) == (1, 1)
    assert (summary["cache_hits"], summary["tier1_hits"], summary["cache_misses"]) == (0, 0, 0)
    assert summary["all_time"]["cache_hits"] == 0 and summary["hit_rate"] == 0.0
    assert metrics.get_tier_stats()["hit_rate"] == 0.0


def test_tier_stats_always_present_and_sum_to_100() -> None:
    metrics = EndpointMetrics()
    assert metrics.get_tier_stats() == {
        "tier1_percent": 0.0, "tier2_percent": 0.0, "shared_percent": 0.0, "miss_percent": 0.0,
        "error_percent": 0.0, "hit_rate": 0.0,
    }  # fmt: skip
    for source in ("tier1", "tier1", "tier2", "miss"):
        metrics.record("/api/chunk", source, 1.0)
    metrics.record("/api/chunk", "miss", 1.0, success=False)
    stats = metrics.get_tier_stats()
    assert (stats["tier1_percent"], stats["tier2_percent"], stats["miss_percent"]) == (50, 25, 25)
    assert stats["error_percent"] == 20.0 and stats["hit_rate"] == 0.75


def test_seed_example_summary() -> None:
    metrics = EndpointMetrics()
    metrics.record("/api/chunk", "tier1", 2.5)
    metrics.record("/api/chunk", "tier2", 5.0)
    metrics.record("/api/chunk", "miss", 50.0)
    summary = metrics.get_summary()
    assert summary["avg_time_ms"] == pytest.approx(57.5 / 3)
    assert summary["p50_ms"] == pytest.approx(5.0, rel=0.01)
    assert summary["by_source"]["miss"]["p99_ms"] == pytest.approx(50.0, rel=0.01)


@pytest.mark.parametrize(
    ("earlier_ms", "recent_ms", "trend"),
    [(10.0, 5.0, "improving"), (10.0, 20.0, "degrading"), (10.0, 10.5, "stable")],
)
def test_performance_trends_compare_the_recent_window_with_the_rest(
    earlier_ms: float, recent_ms: float, trend: str
) -> None:
    metrics = EndpointMetrics()
    for _ in range(30):
        metrics.record("/api/chunk", "tier1", earlier_ms)
    for _ in range(10):
        metrics.record("/api/chunk", "tier1", recent_ms)
    out = metrics.get_performance_trends(window=10)
    assert out["trend"] == trend and out["window"] == 10 and out["compared_requests"] == 30
    assert (out["recent_avg_ms"], out["previous_avg_ms"]) == pytest.approx((recent_ms, earlier_ms))


def test_performance_trends_without_earlier_requests_is_stable() -> None:
    metrics = EndpointMetrics()
    assert metrics.get_performance_trends()["trend"] == "stable"
    for ms in (1.0, 100.0):
        metrics.record("/api/chunk", "miss", ms)
    assert metrics.get_performance_trends(window=10)["trend"] == "stable"
    with pytest.raises(MonitoringError, match="window"):
        metrics.get_performance_trends(window=0)


def test_endpoints_leaving_the_window_leave_the_breakdown() -> None:
    metrics = EndpointMetrics(max_history=2)
    metrics.record("/a", "tier1", 1.0)
    metrics.record("/b", "miss", 1.0)
    metrics.record("/b", "miss", 1.0)
    assert list(metrics.get_endpoint_stats()) == ["/b"]
    assert metrics.get_summary()["all_time"]["total_requests"] == 3


def test_clear_forgets_everything() -> None:
    metrics = EndpointMetrics()
    metrics.record("/a", "tier2", 4.0)
    metrics.clear()
    assert metrics.get_summary() == EndpointMetrics().get_summary()
    assert len(metrics.metrics) == 0 and metrics.get_endpoint_stats() == {}


@pytest.mark.parametrize(
    ("args", "match"),
    [(("/a", "tier3", 1.0), "unknown cache source 'tier3'"),
     (("/a", "tier1", -1.0), "processing_time_ms"),
     (("/a", "tier1", float("nan")), "processing_time_ms")],
)  # fmt: skip
def test_bad_records_are_rejected(args, match: str) -> None:
    metrics = EndpointMetrics()
    with pytest.raises(MonitoringError, match=match):
        metrics.record(*args)
    assert metrics.summary["total_requests"] == 0
    with pytest.raises(MonitoringError, match="max_history"):
        EndpointMetrics(max_history=0)


def test_deferred_records_are_settled_in_order_before_any_read():
    metrics = EndpointMetrics(max_history=5)
    for i, source in enumerate(["tier1", "miss", "tier2"]):
        metrics.defer("/chunk", source, float(i + 1))
    assert len(metrics.metrics) == 0  # nothing touched yet on the hot path
    assert metrics.get_summary()["total_requests"] == 3
    assert [r.cache_source for r in metrics.metrics] == ["tier1", "miss", "tier2"]
    metrics.defer("/chunk", "tier1", 9.0, success=False)
    assert metrics.get_tier_stats()["error_percent"] == 25.0
    metrics.defer("/chunk", "tier1", 1.0)
    assert metrics.get_performance_trends(window=1)["recent_avg_ms"] == 1.0


def test_deferred_records_are_settled_in_batches():
    metrics = EndpointMetrics(max_history=10)
    for _ in range(SETTLE_EVERY):
        metrics.defer("/chunk", "tier1", 1.0)
    assert len(metrics.metrics) == 10 and metrics.all_time["total_requests"] == SETTLE_EVERY
    metrics.defer("/chunk", "tier1", 1.0)
    metrics.clear()
    assert metrics.get_summary()["total_requests"] == 0  # clear drops deferred ones too
