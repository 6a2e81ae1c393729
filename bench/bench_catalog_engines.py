"""The catalog's hot paths on SQLite and on PostgreSQL, in the same run.

The same synthetic catalog (``bench_catalog.synthetic_entries``, built with the real
indexing code) in a SQLite file and in a private PostgreSQL on loopback (``initdb`` on a
free port, as the tests start it), then the same listing and search scenarios as
``bench_catalog.py`` against each: wall time per call (PostgreSQL's own CPU is in its
server process, so wall time is the comparable figure). Writes
``bench/results/bench_catalog_engines.md``.

    .venv/bin/python bench/bench_catalog_engines.py [--tracks 20000] [--queries 100]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests.db.postgres_process: the private PostgreSQL

from tests.db.postgres_process import PostgresProcess  # noqa: E402

from bench_catalog import build, percentiles, search_terms, sql_scenarios, timed  # noqa: E402
from masterstream.library.catalog import Catalog  # noqa: E402

RESULTS = REPO / "bench" / "results" / "bench_catalog_engines.md"
COMMAND = ".venv/bin/python bench/bench_catalog_engines.py"


def measure(target: str | Path, tracks: int, queries: int) -> tuple[float, dict[str, list]]:
    rate = build(target, tracks)  # type: ignore[arg-type]  # a path or a URL
    rng = random.Random(11)
    with Catalog(target) as catalog:
        catalog.refresh_statistics()  # as a scan of that many files does
        terms = search_terms(catalog, rng, queries)
        out = {}
        for name, fn in sql_scenarios(catalog, rng, terms).items():
            timed(fn, 5)
            out[name] = timed(fn, queries)[0]
    return rate, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-engines-") as tmp:
        sqlite_rate, sqlite = measure(Path(tmp) / "catalog.sqlite3", args.tracks, args.queries)
        postgres = PostgresProcess().start()
        try:
            pg_rate, pg = measure(postgres.create_database(), args.tracks, args.queries)
        finally:
            postgres.stop()
    lines = [
        "# The catalog on SQLite and on PostgreSQL", "",
        f"Command: `{COMMAND} --tracks {args.tracks} --queries {args.queries}` "
        f"({time.perf_counter() - started:.0f} s), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, load average {load_before:.1f} before "
        f"and {os.getloadavg()[0]:.1f} after (shared machine). PostgreSQL "
        "15 on loopback (fsync off, as in the tests); SQLite in WAL mode. Wall ms per call "
        "over the same synthetic catalog.", "",
        f"Indexing (batches of 500, as a scan commits): SQLite {sqlite_rate:,.0f} tracks/s, "
        f"PostgreSQL {pg_rate:,.0f} tracks/s.", "",
        "| scenario | SQLite p50 | SQLite p95 | PostgreSQL p50 | PostgreSQL p95 |",
        "|---|---:|---:|---:|---:|",
    ]  # fmt: skip
    for name in sqlite:
        s50, s95, _ = percentiles(sqlite[name])
        p50, p95, _ = percentiles(pg[name])
        lines.append(f"| {name} | {s50:.2f} | {s95:.2f} | {p50:.2f} | {p95:.2f} |")
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
