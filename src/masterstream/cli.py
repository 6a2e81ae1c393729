"""The ``masterstream`` command: serve, scan, presets, info, render.

Errors a user can cause (unknown preset, bad intensity, missing or corrupt file, chunk
out of range) print one clear line to stderr and exit with status 1, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from .config import Settings
from .errors import MasterstreamError
from .logs import LOG_LEVELS
from .users.cli import user_app

app = typer.Typer(
    name="masterstream",
    help="Stream music mastered on the fly, out of an observable two-tier chunk cache.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()


def _version(value: bool) -> None:
    if value:
        from . import __version__
        from .mastering import PIPELINE_VERSION

        out.print(f"masterstream {__version__} (pipeline {PIPELINE_VERSION})", highlight=False)
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Stream music mastered on the fly, out of an observable two-tier chunk cache."""


err = Console(stderr=True)
app.add_typer(user_app, name="user")

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Where the catalog, demo library and cache live "
                 "(default: MASTERSTREAM_DATA_DIR or the user data directory)."),
]  # fmt: skip
KEEP_ALIVE_S = 75
"""Idle keep-alive connections stay open this long: longer than a chunk plays, so a player
asking for the next chunk every ten seconds reuses its connection (uvicorn's default is 5 s)."""
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _settings(data_dir: Path | None, **overrides: object) -> Settings:
    try:
        return Settings.from_env(data_dir=data_dir, **overrides)
    except ValueError as exc:
        raise MasterstreamError(str(exc)) from exc


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
        TimeRemainingColumn(), console=err, transient=True,
    )  # fmt: skip


@app.command()
def presets(as_json: AsJson = False) -> None:
    """List the mastering presets with their targets."""
    from .mastering import PRESETS

    rows = [preset.to_dict() for preset in PRESETS.values()]
    if as_json:
        out.print_json(json.dumps(rows))
        return
    table = Table("preset", "target LUFS", "true peak dBTP", "description")
    for row in rows:
        lufs = row.get("target_lufs")
        table.add_row(row["name"], "—" if lufs is None else f"{lufs:.1f}",
                      "—" if row.get("true_peak_dbtp") is None else f"{row['true_peak_dbtp']:.1f}",
                      row["description"])  # fmt: skip
    out.print(table)


@app.command("scan")
def scan_command(
    directory: Annotated[Path, typer.Argument(help="Folder of music to add to the catalog.")],
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Scan a folder: add new files, update changed ones, remove vanished ones (index),
    then fingerprint the tracks that need it (analysis)."""
    from .service.workspace import open_library, scan_with_progress

    settings = _settings(data_dir)
    with _progress() as progress, open_library(settings, ensure_demo=False) as library:
        report = scan_with_progress(library, directory, progress)
    summary = {**report.to_dict(), "analysed": len(report.analysed)}
    if as_json:
        out.print_json(json.dumps(summary))
        return
    out.print(f"added {summary['added']}, updated {summary['updated']}, removed "
              f"{summary['removed']}, unchanged {summary['unchanged']}, analysed "
              f"{summary['analysed']}, skipped {len(report.skipped)}")  # fmt: skip
    for path, reason in report.skipped:
        err.print(f"skipped {path}: {reason}", highlight=False)


@app.command()
def info(
    track: Annotated[str, typer.Argument(help="An audio file path or a catalog track id.")],
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Show a track's information and fingerprint."""
    from .service.workspace import resolve_track

    settings = _settings(data_dir)
    with resolve_track(settings, track) as (library, record):
        geometry = library.geometry(record)
        data = {
            "id": record.id if record.id > 0 else None, "path": record.path,
            "title": record.display_title, "artist": record.artist,
            "duration_s": round(record.duration_s, 3), "sample_rate": record.sample_rate,
            "channels": record.channels, "frames": record.frames, "signature": record.signature,
            "chunk_duration_s": geometry.chunk_duration_s, "chunk_count": geometry.chunk_count,
            "fingerprint": record.fingerprint,
        }  # fmt: skip
    if as_json:
        out.print_json(json.dumps(data))
        return
    table = Table("field", "value", show_header=False)
    for name, value in data.items():
        if name != "fingerprint":
            table.add_row(name, str(value))
    for name, value in (data["fingerprint"] or {}).items():
        table.add_row(
            f"fingerprint.{name}", f"{value:.4g}" if isinstance(value, float) else str(value)
        )
    out.print(table)


@app.command()
def render(
    track: Annotated[str, typer.Argument(help="An audio file path or a catalog track id.")],
    out_path: Annotated[
        Path, typer.Option("--out", "-o", help="Output file: .wav, .flac, .mp3 or .opus.")
    ],
    preset: Annotated[str, typer.Option(help="Mastering preset (see `masterstream presets`).")],
    intensity: Annotated[float, typer.Option(help="0 = original … 1 = fully mastered.")] = 1.0,
    chunk: Annotated[int | None, typer.Option(help="Render only this chunk index.")] = None,
    bitrate: Annotated[
        int | None, typer.Option(help="kbit/s for .mp3 or .opus (default: the format's own).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Master a track (or one chunk of it) to a file, through the server's chunk service."""
    from .audio.formats import FORMAT_NAMES
    from .service.export import render_to_file
    from .service.request import Variant, check_format
    from .service.workspace import resolve_track

    suffix = out_path.suffix.lower().lstrip(".")
    if suffix not in FORMAT_NAMES:
        raise MasterstreamError(f"--out must end in {', '.join('.' + f for f in FORMAT_NAMES)}")
    fmt = check_format(suffix, bitrate)
    variant = Variant.of(preset, intensity)
    settings = _settings(data_dir)
    with resolve_track(settings, track) as (library, record), _progress() as progress:
        geometry = library.geometry(record)
        task = progress.add_task(f"mastering ({preset})", total=1 if chunk is not None else
                                 geometry.chunk_count)  # fmt: skip
        render_to_file(settings, library, record, variant=variant, chunk=chunk,
                       out_path=out_path, fmt=fmt,
                       on_chunk=lambda: progress.advance(task))  # fmt: skip
    err.print(f"wrote {out_path}", highlight=False)


@app.command()
def serve(
    library: Annotated[
        Path | None, typer.Option(help="Music folder (default: the demo library).")
    ] = None,
    data_dir: DataDir = None,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Disk cache (tier2) folder (default: DATA_DIR/cache).")
    ] = None,
    host: Annotated[
        str | None, typer.Option(help="Address to bind (default 127.0.0.1: loopback only).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default 8765).")] = None,
    admin_token: Annotated[
        str | None,
        typer.Option(help="Bearer token for the admin endpoints (or MASTERSTREAM_ADMIN_TOKEN)."),
    ] = None,
    tier1_mb: Annotated[
        float | None, typer.Option(help="Memory tier capacity in MB (default 12).")
    ] = None,
    tier2_mb: Annotated[
        float | None, typer.Option(help="Disk tier capacity in MB (default 240).")
    ] = None,
    stats_interval: Annotated[
        float, typer.Option(help="Seconds between cache_stats frames on /ws.")
    ] = 2.0,
    ping_interval: Annotated[
        float, typer.Option(help="Seconds between WebSocket pings.", hidden=True)
    ] = 30.0,
    pong_timeout: Annotated[
        float, typer.Option(help="Seconds a client has to answer a ping.", hidden=True)
    ] = 10.0,
    access_log: Annotated[
        bool, typer.Option(help="Log every request (method, path, status, time, source, bytes).")
    ] = False,
    log_level: Annotated[
        str, typer.Option(help=f"Log level: {', '.join(LOG_LEVELS)}.", case_sensitive=False)
    ] = "info",
    log_format: Annotated[
        str, typer.Option(help="Log lines as 'text' (for people) or 'json' (for log shippers).")
    ] = "text",
    record_trace: Annotated[
        Path | None,
        typer.Option(
            help="Append one JSON line per chunk request (time, key, size, source) "
            "to FILE, for replaying through cache policies (bench/)."
        ),
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(help="Also answer to this Host name (repeatable; '*': any name)."),
    ] = None,
    allowed_origin: Annotated[
        list[str] | None,
        typer.Option(
            help="Also accept writes and /ws from this origin, e.g. "
            "https://app.example (repeatable)."
        ),
    ] = None,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            help="Believe X-Forwarded-For/-Proto from this proxy address or network (repeatable)."
        ),
    ] = None,
    metrics_public: Annotated[
        bool | None,
        typer.Option(
            "--metrics-public",
            help="Serve /metrics to anyone, not only to loopback clients and admins.",
        ),
    ] = None,
    render_budget: Annotated[
        int | None,
        typer.Option(
            help="Cold renders a user may cause per minute (default 120; 0: no "
            "limit). Cache hits are never limited."
        ),
    ] = None,
    redis_url: Annotated[
        str | None,
        typer.Option(
            help="Share a tier with other servers in Redis/Valkey, e.g. redis://HOST:PORT/0 "
            "(or MASTERSTREAM_REDIS_URL): one render per chunk across servers."
        ),
    ] = None,
    server_id: Annotated[
        str | None,
        typer.Option(help="This server's name in stats and metrics (default hostname:port)."),
    ] = None,
) -> None:
    """Serve the library (the demo library by default) over HTTP and WebSocket."""
    import uvicorn

    from .api import ServerOptions, create_app
    from .logs import configure_logging
    from .users import UserStore

    try:
        configure_logging(log_level.lower(), log_format)  # type: ignore[arg-type]
    except ValueError as exc:
        raise MasterstreamError(str(exc)) from exc

    settings = _settings(
        data_dir, library_dir=library, cache_dir=cache_dir, host=host, port=port,
        admin_token=admin_token, trace_path=record_trace,
        allowed_hosts=tuple(allowed_host) if allowed_host else None,
        allowed_origins=tuple(allowed_origin) if allowed_origin else None,
        trusted_proxies=tuple(trusted_proxy) if trusted_proxy else None,
        metrics_public=metrics_public, render_budget_per_minute=render_budget,
        redis_url=redis_url, server_id=server_id,
        tier1_capacity_bytes=None if tier1_mb is None else round(tier1_mb * 1_000_000),
        tier2_capacity_bytes=None if tier2_mb is None else round(tier2_mb * 1_000_000),
    )  # fmt: skip
    options = ServerOptions(
        prepare_library=False, stats_interval_s=stats_interval, access_log=access_log,
        ping_interval_s=ping_interval, pong_timeout_s=pong_timeout,
    )  # fmt: skip
    app_ = create_app(settings, options)
    url = f"http://{settings.host}:{settings.port}"
    out.print(f"masterstream: serving the library at {settings.effective_library_dir} "
              "(scanned in the background: GET /api/library/status)", highlight=False,
              soft_wrap=True)  # fmt: skip
    out.print(f"listening on {url}  (API docs {url}/docs, WebSocket ws://"
              f"{settings.host}:{settings.port}/ws)", highlight=False, soft_wrap=True)  # fmt: skip
    with UserStore(settings.catalog_path) as users:
        has_users = users.accounts.exist()
    if not has_users:
        out.print("no user yet: only this machine (loopback) is served, with full rights; "
                  "create the first admin with 'masterstream user add NAME --admin "
                  "--password-stdin'", highlight=False, soft_wrap=True)  # fmt: skip
    uvicorn.run(
        app_, host=settings.host, port=settings.port, log_config=None,
        log_level=log_level.lower(), access_log=False,
        ws_max_size=16 * options.ws_max_message_bytes, timeout_graceful_shutdown=10,
        timeout_keep_alive=KEEP_ALIVE_S, proxy_headers=False,  # read by the app: --trusted-proxy
    )  # fmt: skip


def main() -> None:
    try:
        app()
    except MasterstreamError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False)
        raise SystemExit(1) from None
