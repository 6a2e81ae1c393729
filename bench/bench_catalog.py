"""Listing and search at scale: a synthetic 50,000-track catalog, through SQL and HTTP.

Builds a catalog of synthetic rows with the real indexing code (albums, artists and the
FTS indexes are maintained as a scan would), then times pages of 100 (every sort, at
random offsets) and searches (prefixes of words in the catalog, whole words, two words),
first against the catalog, then through the running app (in-process ASGI). Anchors in
the same run: ``/livez`` (the HTTP floor) and what ``/api/tracks`` did before the
catalog could sort (sort every loaded record in Python, then slice a page). Writes a
table to ``bench/results/bench_catalog.md``.

    .venv/bin/python bench/bench_catalog.py [--tracks 50000] [--queries 200]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx

from masterstream.api import ServerOptions, create_app
from masterstream.config import Settings
from masterstream.library import browse
from masterstream.library.catalog import Catalog
from masterstream.library.records import FileStamp, IndexEntry

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "bench_catalog.md"
COMMAND = ".venv/bin/python bench/bench_catalog.py"
SYLLABLES = ["ka", "lo", "mi", "ren", "sol", "ta", "vé", "nor", "bri", "el", "an", "dus", "mö",
             "qua", "ri", "sen", "tor", "ul", "ya", "zé", "har", "pin", "cro", "vel"]  # fmt: skip
SETTLE_S = 10.0
GENRES = ["Rock", "Jazz", "Electronic", "Classical", "Hip Hop", "Folk", "Ambient", "Pop"]


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def phrase(rng: random.Random, words: tuple[int, int]) -> str:
    return " ".join(word(rng) for _ in range(rng.randint(*words)))


def synthetic_entries(tracks: int, seed: int = 7) -> list[IndexEntry]:
    """About ten tracks an album, one album in twenty a compilation, 2,000 artists."""
    rng = random.Random(seed)
    artists = [phrase(rng, (1, 2)) for _ in range(max(10, tracks // 25))]
    entries: list[IndexEntry] = []
    album_no = 0
    while len(entries) < tracks:
        album_no += 1
        album, album_artist = phrase(rng, (1, 3)), rng.choice(artists)
        compilation = rng.random() < 0.05
        year, genre = rng.randint(1960, 2024), rng.choice(GENRES)
        discs = 2 if rng.random() < 0.1 else 1
        for disc in range(1, discs + 1):
            for number in range(1, rng.randint(6, 14) + 1):
                title = phrase(rng, (1, 4))
                artist = rng.choice(artists) if compilation else album_artist
                entries.append(IndexEntry(
                    path=f"/synthetic/{album_no}/{disc}-{number:02d} {title}.flac",
                    signature=f"{len(entries):032x}",
                    stamp=FileStamp(4_000_000, 1, 1, len(entries)),
                    frames=44100 * rng.randint(120, 420), sample_rate=44100, channels=2,
                    format="FLAC", title=title, artists=(artist,), album=album,
                    album_artist=None if compilation else album_artist, compilation=compilation,
                    track_number=number, disc_number=disc, year=year, genre=genre,
                ))  # fmt: skip
    return entries[:tracks]


def build(path: Path, tracks: int) -> float:
    """Index the synthetic rows in batches of 500 (as a scan would commit); tracks/s."""
    entries = synthetic_entries(tracks)
    start = time.perf_counter()
    with Catalog(path) as catalog:
        for i in range(0, len(entries), 500):
            catalog.index_tracks((e, {"integrated_lufs": -14.0}) for e in entries[i : i + 500])
    return len(entries) / (time.perf_counter() - start)


def search_terms(catalog: Catalog, rng: random.Random, n: int) -> list[str]:
    """Prefixes (2–4 letters) and whole words of titles, albums and artists, one or two."""
    rows = catalog.read("SELECT title, album, artist FROM tracks WHERE id % 25 = 0")
    words = [w for r in rows for text in r for w in text.split()]
    shapes = (
        lambda w: w[: rng.randint(2, 4)],  # typing the start of a word
        lambda w: w,
        lambda w: f"{w} {rng.choice(words)[:3]}",
        lambda w: w[:3].upper(),
    )
    return [shapes[i % 4](rng.choice(words)) for i in range(n)]


def percentiles(samples_ms: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


Samples = tuple[list[float], list[float]]  # wall ms, CPU ms (every thread of this process)


def timed(fn: Callable[[], object], n: int) -> Samples:
    wall, cpu = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1e3)
        cpu.append((time.process_time() - start_cpu) * 1e3)
    return wall, cpu


async def timed_async(fn: Callable[[], Awaitable[object]], n: int) -> Samples:
    wall, cpu = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        await fn()
        wall.append((time.perf_counter() - start) * 1e3)
        cpu.append((time.process_time() - start_cpu) * 1e3)
    return wall, cpu


def sql_scenarios(catalog: Catalog, rng: random.Random, terms: list[str]) -> dict[str, Callable]:
    tracks, albums = catalog.count_tracks(), browse.list_albums(catalog, limit=1).total
    artists = browse.list_artists(catalog, limit=1).total
    album_ids = [r[0] for r in catalog.read("SELECT id FROM albums")]
    artist_ids = [r[0] for r in catalog.read("SELECT id FROM artists")]
    term = iter(terms * 1000)
    out: dict[str, Callable] = {}
    for sort in browse.TRACK_SORTS:
        out[f"tracks, sort={sort}"] = lambda s=sort: browse.list_tracks(
            catalog, sort=s, offset=rng.randrange(tracks - 100), limit=100)  # fmt: skip
    for sort in browse.ALBUM_SORTS:
        out[f"albums, sort={sort}"] = lambda s=sort: browse.list_albums(
            catalog, sort=s, offset=rng.randrange(albums - 100), limit=100)  # fmt: skip
    out["artists"] = lambda: browse.list_artists(
        catalog, offset=rng.randrange(artists - 100), limit=100)  # fmt: skip
    out["album with its tracks"] = lambda: browse.get_album(catalog, rng.choice(album_ids))
    out["tracks of an artist"] = lambda: browse.list_tracks(
        catalog, artist_id=rng.choice(artist_ids), sort="album", limit=100)  # fmt: skip
    out["tracks?q= (page of 100)"] = lambda: browse.list_tracks(catalog, q=next(term), limit=100)
    out["search (20 of each kind)"] = lambda: browse.search(catalog, next(term))
    return out


def http_scenarios(client: httpx.AsyncClient, rng: random.Random, terms: list[str],
                   tracks: int, albums: int) -> dict[str, Callable]:  # fmt: skip
    term = iter(terms * 1000)

    def get(url: str, **params: object) -> Callable[[], Awaitable[object]]:
        async def call() -> None:
            values = {k: v() if callable(v) else v for k, v in params.items()}
            response = await client.get(url, params=values)
            if response.status_code != 200:
                raise RuntimeError(f"{url} {values}: {response.status_code} {response.text}")

        return call

    page = {"limit": 100, "offset": lambda: rng.randrange(tracks - 100)}
    return {
        "GET /livez (anchor)": get("/livez"),
        "GET /api/tracks?sort=id": get("/api/tracks", **page),
        "GET /api/tracks?sort=album": get("/api/tracks", sort="album", **page),
        "GET /api/tracks?sort=title": get("/api/tracks", sort="title", **page),
        "GET /api/albums?sort=artist": get("/api/albums", sort="artist", limit=100,
                                           offset=lambda: rng.randrange(albums - 100)),
        "GET /api/artists": get("/api/artists", limit=100),
        "GET /api/tracks?q=": get("/api/tracks", limit=100, q=lambda: next(term)),
        "GET /api/search?q=": get("/api/search", q=lambda: next(term)),
    }  # fmt: skip


async def run_http(data_dir: Path, rng: random.Random, terms: list[str], queries: int,
                   tracks: int, albums: int) -> dict[str, Samples]:  # fmt: skip
    (data_dir / "music").mkdir(exist_ok=True)
    settings = Settings(data_dir=data_dir, library_dir=data_dir / "music", render_workers=1)
    app = create_app(settings, ServerOptions(prepare_library=False, prepare_plans=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await asyncio.sleep(SETTLE_S)  # let start-up work (catalog load, scan) finish
            gc.collect()
            idle_cpu = time.process_time()
            await asyncio.sleep(1.0)
            results = {"idle": ([], [(time.process_time() - idle_cpu) * 1e3])}
            for name, call in http_scenarios(client, rng, terms, tracks, albums).items():
                await timed_async(call, 20)  # warm-up
                results[name] = await timed_async(call, queries)
            return results


def old_listing(catalog: Catalog) -> Callable[[], object]:
    """What /api/tracks did before: every record in memory, sorted per request, sliced."""
    records = {r.id: r for r in catalog.list_tracks()}
    return lambda: sorted(records.values(), key=lambda r: r.id)[20_000:20_100]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(11)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as tmp:
        data_dir = Path(tmp)
        rate = build(data_dir / "catalog.sqlite3", args.tracks)
        print(f"indexed {args.tracks} synthetic tracks at {rate:,.0f} tracks/s", file=sys.stderr)
        with Catalog(data_dir / "catalog.sqlite3") as catalog:
            terms = search_terms(catalog, rng, args.queries)
            sql = {"old /api/tracks: sort all records in Python (anchor)":
                   timed(old_listing(catalog), 20)}  # fmt: skip
            for name, fn in sql_scenarios(catalog, rng, terms).items():
                timed(fn, 5)
                sql[name] = timed(fn, args.queries)
            albums = browse.list_albums(catalog, limit=1).total
            artists = browse.list_artists(catalog, limit=1).total
        http = asyncio.run(run_http(data_dir, rng, terms, args.queries, args.tracks, albums))
        idle_cpu_ms = http.pop("idle")[1][0]
    load = (load_before, os.getloadavg()[0])
    write_results(args, rate, albums, artists, sql, http, load, idle_cpu_ms)


def _table(results: dict[str, Samples]) -> list[str]:
    lines = ["| query | p50 ms | p95 ms | max ms | CPU p50 ms | CPU p95 ms |",
             "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for name, (wall, cpu) in results.items():
        p50, p95, worst = percentiles(wall)
        cpu50, cpu95, _ = percentiles(cpu)
        lines.append(
            f"| {name} | {p50:.2f} | {p95:.2f} | {worst:.2f} | {cpu50:.2f} | {cpu95:.2f} |"
        )
    return lines


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, check=True,
                             capture_output=True, text=True)  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def write_results(args: argparse.Namespace, rate: float, albums: int, artists: int,
                  sql: dict[str, Samples], http: dict[str, Samples],
                  load: tuple[float, float], idle_cpu_ms: float) -> None:  # fmt: skip
    lines = [
        "# Catalog listing and search at scale",
        "",
        f"{args.tracks:,} synthetic tracks in {albums:,} albums by {artists:,} artists "
        f"(indexed at {rate:,.0f} tracks/s in batches of 500); {args.queries} queries per row, "
        "pages of 100 at random offsets, search terms drawn from the catalog's words "
        "(2–4 letter prefixes, whole words, two words, upper case). Sequential, one client. "
        "Wall time is what a client waits; CPU time is the work this process did for it "
        "(all its threads), which other processes on the machine do not inflate.",
        "",
        f"Run {datetime.now(UTC).isoformat(timespec='seconds')} at commit {_commit()} on "
        f"{platform.machine()}, "
        f"Python {platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}; "
        f"{os.cpu_count()} cores shared with other work: load average {load[0]:.1f} at the "
        f"start and {load[1]:.1f} at the end, so tails include other processes' work.",
        "",
        f"    {COMMAND} --tracks {args.tracks} --queries {args.queries}",
        "",
        "## In the catalog (SQL with LIMIT)",
        "",
        *_table(sql),
        "",
        "## Through the app (in-process ASGI: routing, validation, JSON)",
        "",
        f"Measured {SETTLE_S:.0f} s after start-up; in the second before, with no request, the "
        f"app's own background work used {idle_cpu_ms:.0f} ms of CPU.",
        "",
        *_table(http),
        "",
    ]
    RESULTS.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
