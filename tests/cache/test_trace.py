"""The chunk-request trace format: what the recorder writes is what the reader returns."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from masterstream.cache import ChunkKey
from masterstream.cache.trace import TraceRecord, TraceRecorder, iter_trace, read_trace
from masterstream.errors import CacheError

from .fakes import make_key


class StepClock:
    def __init__(self) -> None:
        self.now_s = 100.0

    def __call__(self) -> float:
        return self.now_s


def test_lines_are_the_documented_json_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    clock = StepClock()
    key = make_key(3, 7)
    with TraceRecorder(path, clock=clock) as recorder:
        recorder.record(key.to_str(), 1_764_044, "miss")
        clock.now_s = 112.5
        recorder.record(key.to_str(), 1_764_044, "tier1")
        recorder.record(key.to_str(), 10, "tier2", t_s=3.25)
    lines = path.read_text().splitlines()
    assert json.loads(lines[0]) == {
        "t": 0.0,
        "key": key.to_str(),
        "size_bytes": 1_764_044,
        "source": "miss",
    }
    assert read_trace(path) == [
        TraceRecord(0.0, key.to_str(), 1_764_044, "miss"),
        TraceRecord(12.5, key.to_str(), 1_764_044, "tier1"),
        TraceRecord(3.25, key.to_str(), 10, "tier2"),
    ]
    assert ChunkKey.from_str(read_trace(path)[0].key) == key


def test_lines_are_buffered_until_flush_or_a_full_buffer(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    recorder = TraceRecorder(path, buffer_lines=3)
    try:
        recorder.record("a", 1, "miss", t_s=0.0)
        recorder.record("b", 1, "miss", t_s=1.0)
        assert path.read_text() == ""
        recorder.record("c", 1, "miss", t_s=2.0)  # third line: the buffer is written
        assert [r.key for r in read_trace(path)] == ["a", "b", "c"]
        recorder.record("d", 1, "tier1", t_s=3.0)
        recorder.flush()
        assert [r.key for r in read_trace(path)] == ["a", "b", "c", "d"]
    finally:
        recorder.close()
    recorder.close()  # closing twice is harmless
    with pytest.raises(ValueError, match="closed"):
        recorder.record("e", 1, "miss")
    assert recorder.recorded == 4


def test_append_keeps_earlier_lines_and_a_new_recorder_truncates(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    with TraceRecorder(path) as recorder:
        recorder.record("a", 1, "miss", t_s=0.0)
    with TraceRecorder(path, append=True) as recorder:
        recorder.record("b", 1, "miss", t_s=0.0)
    assert [r.key for r in read_trace(path)] == ["a", "b"]
    with TraceRecorder(path) as recorder:
        recorder.record("c", 1, "miss", t_s=0.0)
    assert [r.key for r in read_trace(path)] == ["c"]


@pytest.mark.parametrize(
    ("size", "source", "t_s"),
    [(-1, "miss", 0.0), (True, "miss", 0.0), (1.5, "miss", 0.0), (1, "disk", 0.0),
     (1, "miss", float("nan"))],
)  # fmt: skip
def test_bad_records_are_refused(tmp_path: Path, size: object, source: str, t_s: float) -> None:
    with TraceRecorder(tmp_path / "t.jsonl") as recorder, pytest.raises(ValueError):
        recorder.record("k", size, source, t_s=t_s)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "line",
    [
        "not json",
        "[1, 2]",
        '{"t": 0, "key": "k", "size_bytes": 1}',
        '{"t": 0, "key": "k", "size_bytes": -1, "source": "miss"}',
        '{"t": 0, "key": "", "size_bytes": 1, "source": "miss"}',
        '{"t": "0", "key": "k", "size_bytes": 1, "source": "miss"}',
        '{"t": NaN, "key": "k", "size_bytes": 1, "source": "miss"}',
        '{"t": 0, "key": "k", "size_bytes": 1, "source": ["miss"]}',
    ],
)
def test_a_bad_line_names_the_file_and_line(tmp_path: Path, line: str) -> None:
    path = tmp_path / "trace.jsonl"
    path.write_text('{"t": 0, "key": "k", "size_bytes": 1, "source": "miss"}\n\n' + line + "\n")
    records = iter_trace(path)
    assert next(records).key == "k"
    with pytest.raises(CacheError, match=r"trace\.jsonl:3"):
        next(records)


def test_concurrent_recording_loses_no_line(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    with TraceRecorder(path, buffer_lines=7) as recorder:
        threads = [
            threading.Thread(
                target=lambda n=n: [recorder.record(f"{n}:{i}", i, "miss") for i in range(500)]
            )
            for n in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    keys = [r.key for r in read_trace(path)]
    assert sorted(keys) == sorted(f"{n}:{i}" for n in range(4) for i in range(500))


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 1e7, allow_nan=False),
            st.text(min_size=1, max_size=40),
            st.integers(0, 2**40),
            st.sampled_from(["tier1", "tier2", "miss", "synthetic"]),
        ),
        max_size=30,
    )
)
def test_any_records_round_trip(tmp_path_factory: pytest.TempPathFactory, rows) -> None:
    path = tmp_path_factory.mktemp("trace") / "trace.jsonl"
    with TraceRecorder(path, buffer_lines=4) as recorder:
        for t_s, key, size, source in rows:
            recorder.record(key, size, source, t_s=t_s)
    back = read_trace(path)
    assert [(r.key, r.size_bytes, r.source) for r in back] == [(k, n, s) for _, k, n, s in rows]
    assert all(abs(r.t_s - row[0]) <= 1e-6 for r, row in zip(back, rows, strict=True))
