"""LogHistogram against numpy on random data, merging, sliding removal; fixed buckets."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from masterstream.errors import MonitoringError
from masterstream.monitoring.percentiles import LATENCY_BUCKETS_S, BucketCounts, LogHistogram

QS = (0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0)


def within(estimate: float, exact: float, alpha: float) -> bool:
    return abs(estimate - exact) <= alpha * exact * (1 + 1e-9)


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("alpha", [0.01, 0.05])
def test_quantiles_within_the_documented_relative_error(seed: int, alpha: float) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 5000))
    data = rng.lognormal(mean=0.0, sigma=2.5, size=n)  # ~1e-3 .. 1e3 ms
    hist = LogHistogram(alpha)
    for value in data:
        hist.add(float(value))
    for q in QS:
        exact = float(np.quantile(data, q, method="lower"))
        assert within(hist.quantile(q), exact, alpha), (q, hist.quantile(q), exact)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 1e5, allow_nan=False), min_size=1, max_size=300), st.floats(0, 1))
def test_any_data_any_quantile(values: list[float], q: float) -> None:
    hist = LogHistogram()
    for value in values:
        hist.add(value)
    exact = float(np.quantile(np.array(values), q, method="lower"))
    estimate = hist.quantile(q)
    if exact <= hist.min_value:
        assert estimate == 0.0
    else:
        assert within(estimate, exact, hist.alpha)


def test_merge_equals_the_histogram_of_the_union() -> None:
    rng = np.random.default_rng(3)
    a, b, both = LogHistogram(), LogHistogram(), LogHistogram()
    for value in rng.exponential(5.0, 1000):
        a.add(float(value))
        both.add(float(value))
    for value in rng.exponential(50.0, 700):
        b.add(float(value))
        both.add(float(value))
    a.merge(b)
    assert (a.buckets, a.zero_count, a.count) == (both.buckets, both.zero_count, both.count)
    with pytest.raises(MonitoringError, match="same alpha"):
        a.merge(LogHistogram(0.05))


def test_remove_undoes_add() -> None:
    hist = LogHistogram()
    for value in (0.0, 1.0, 2.5, 2.5):
        hist.add(value)
    for value in (2.5, 0.0, 1.0):
        hist.remove(value)
    assert (hist.buckets, hist.zero_count, hist.count) == ({hist.index_of(2.5): 1}, 0, 1)
    with pytest.raises(MonitoringError, match="never added"):
        hist.remove(7.0)
    with pytest.raises(MonitoringError, match="never added"):
        hist.remove(0.0)


def test_empty_histogram_and_bad_input() -> None:
    hist = LogHistogram()
    assert hist.quantile(0.5) == 0.0
    for bad in (-1.0, math.nan, math.inf):
        with pytest.raises(MonitoringError, match="finite"):
            hist.add(bad)
    with pytest.raises(MonitoringError, match="quantile"):
        hist.quantile(1.5)
    with pytest.raises(MonitoringError, match="alpha"):
        LogHistogram(0.0)


def test_bucket_counts_are_cumulative_with_sub_millisecond_bounds() -> None:
    assert LATENCY_BUCKETS_S[0] < 0.001 and list(LATENCY_BUCKETS_S) == sorted(LATENCY_BUCKETS_S)
    buckets = BucketCounts()
    for value in (0.00005, 0.0001, 0.0004, 0.003, 50.0):
        buckets.observe(value)
    cumulative = dict(buckets.cumulative())
    assert cumulative["0.0001"] == 2  # upper bounds are inclusive
    assert cumulative["0.0005"] == 3 and cumulative["0.005"] == 4
    assert cumulative["10.0"] == 4 and cumulative["+Inf"] == 5 == buckets.count
    assert buckets.sum == pytest.approx(50.00355)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 1e4)), min_size=1, max_size=200),
    st.lists(st.floats(0, 1), min_size=1, max_size=6),
)
def test_several_quantiles_in_one_pass_match_numpy(values: list[float], qs: list[float]) -> None:
    hist = LogHistogram()
    for value in values:
        hist.add(value)
    for q, estimate in zip(qs, hist.quantiles(qs), strict=True):
        exact = float(np.quantile(np.array(values), q, method="lower"))
        assert estimate == 0.0 if exact == 0.0 else within(estimate, exact, hist.alpha)
