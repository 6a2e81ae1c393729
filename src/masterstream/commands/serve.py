"""``masterstream serve``: the HTTP and WebSocket server, configured from the command line
over the environment over the configuration file."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from .context import DataDir, env_help, load, out

KEEP_ALIVE_S = 75
"""Idle keep-alive connections stay open this long: longer than a chunk plays, so a player
asking for the next chunk every ten seconds reuses its connection (uvicorn's default is 5 s)."""
log = logging.getLogger("masterstream.serve")


def _opt(
    field: str, *decls: str, text: str | None = None, **kwargs: object
) -> typer.models.OptionInfo:
    return typer.Option(*decls, help=env_help(field, text), **kwargs)  # type: ignore[arg-type]


def serve(
    library: Annotated[Path | None, _opt("library_dir", "--library")] = None,
    data_dir: DataDir = None,
    cache_dir: Annotated[Path | None, _opt("cache_dir")] = None,
    host: Annotated[str | None, _opt("host")] = None,
    port: Annotated[int | None, _opt("port")] = None,
    admin_token: Annotated[str | None, _opt("admin_token")] = None,
    admin_token_file: Annotated[
        Path | None, _opt("admin_token", text="File holding the admin token (kept out of ps).")
    ] = None,
    tier1_mb: Annotated[float | None, _opt("tier1_capacity_bytes", "--tier1-mb")] = None,
    tier2_mb: Annotated[float | None, _opt("tier2_capacity_bytes", "--tier2-mb")] = None,
    stats_interval: Annotated[float | None, _opt("stats_interval_s", "--stats-interval")] = None,
    ping_interval: Annotated[
        float, typer.Option(help="Seconds between WebSocket pings.", hidden=True)
    ] = 30.0,
    pong_timeout: Annotated[
        float, typer.Option(help="Seconds a client has to answer a ping.", hidden=True)
    ] = 10.0,
    access_log: Annotated[bool | None, _opt("access_log", "--access-log/--no-access-log")] = None,
    log_level: Annotated[str | None, _opt("log_level", case_sensitive=False)] = None,
    log_format: Annotated[str | None, _opt("log_format")] = None,
    record_trace: Annotated[Path | None, _opt("trace_path", "--record-trace")] = None,
    allowed_host: Annotated[
        list[str] | None,
        _opt("allowed_hosts", text="Also answer to this Host name (repeatable; '*': any name)."),
    ] = None,
    allowed_origin: Annotated[
        list[str] | None,
        _opt(
            "allowed_origins",
            text="Also accept writes and /ws from this "
            "origin, e.g. https://app.example (repeatable).",
        ),
    ] = None,
    trusted_proxy: Annotated[
        list[str] | None,
        _opt(
            "trusted_proxies",
            text="Believe X-Forwarded-For/-Proto and "
            "X-Request-ID from this proxy address or network (repeatable).",
        ),
    ] = None,
    metrics_public: Annotated[bool | None, _opt("metrics_public", "--metrics-public")] = None,
    render_budget: Annotated[
        int | None, _opt("render_budget_per_minute", "--render-budget")
    ] = None,
    redis_url: Annotated[str | None, _opt("redis_url")] = None,
    redis_url_file: Annotated[
        Path | None, _opt("redis_url", text="File holding the Redis URL (it may hold a password).")
    ] = None,
    database_url: Annotated[str | None, _opt("database_url")] = None,
    database_url_file: Annotated[
        Path | None,
        _opt("database_url", text="File holding the PostgreSQL URL (it may hold a password)."),
    ] = None,
    server_id: Annotated[str | None, _opt("server_id")] = None,
    root_path: Annotated[str | None, _opt("root_path")] = None,
) -> None:
    """Serve the library (the demo library by default) over HTTP and WebSocket."""
    import uvicorn

    from ..api import ServerOptions, create_app
    from ..api.connection_limits import ConnectionLimits, raise_open_files_limit
    from ..logs import configure_logging
    from ..users import UserStore

    loaded = load(
        data_dir=data_dir, library_dir=library, cache_dir=cache_dir, host=host, port=port,
        admin_token=admin_token, admin_token_file=admin_token_file, trace_path=record_trace,
        allowed_hosts=tuple(allowed_host) if allowed_host else None,
        allowed_origins=tuple(allowed_origin) if allowed_origin else None,
        trusted_proxies=tuple(trusted_proxy) if trusted_proxy else None,
        metrics_public=metrics_public, render_budget_per_minute=render_budget,
        redis_url=redis_url, redis_url_file=redis_url_file, server_id=server_id,
        database_url=database_url, database_url_file=database_url_file,
        tier1_capacity_bytes=None if tier1_mb is None else round(tier1_mb * 1_000_000),
        tier2_capacity_bytes=None if tier2_mb is None else round(tier2_mb * 1_000_000),
        log_level=log_level.lower() if log_level else None, log_format=log_format,
        access_log=access_log, stats_interval_s=stats_interval, root_path=root_path,
    )  # fmt: skip
    settings = loaded.settings
    configure_logging(settings.log_level, settings.log_format)  # type: ignore[arg-type]
    log.info("configuration: %s", loaded.config_path or "no file (defaults and environment)")
    for level, message in loaded.notes:
        log.log(level, "%s", message)
    options = ServerOptions(
        prepare_library=False, stats_interval_s=settings.stats_interval_s,
        access_log=settings.access_log, ping_interval_s=ping_interval,
        pong_timeout_s=pong_timeout,
    )  # fmt: skip
    app_ = create_app(settings, options)
    url = f"http://{settings.host}:{settings.port}"
    out.print(f"masterstream: serving the library at {settings.effective_library_dir} "
              "(scanned in the background: GET /api/library/status)", highlight=False,
              soft_wrap=True)  # fmt: skip
    out.print(f"listening on {url}  (API docs {url}/docs, WebSocket ws://"
              f"{settings.host}:{settings.port}/ws)", highlight=False, soft_wrap=True)  # fmt: skip
    if settings.root_path:
        out.print(f"served under {settings.root_path}/ by a reverse proxy that strips it",
                  highlight=False, soft_wrap=True)  # fmt: skip
    with UserStore.for_settings(settings) as users:
        has_users = users.accounts.exist()
    if not has_users:
        out.print("no user yet: only this machine (loopback) is served, with full rights; "
                  "create the first admin with 'masterstream user add NAME --admin "
                  "--password-stdin'", highlight=False, soft_wrap=True)  # fmt: skip
    raise_open_files_limit()
    limits = ConnectionLimits(settings.header_timeout_s, settings.max_connections)
    uvicorn.run(
        app_, host=settings.host, port=settings.port, log_config=None,
        log_level=settings.log_level, access_log=False,
        ws_max_size=16 * options.ws_max_message_bytes, timeout_graceful_shutdown=10,
        timeout_keep_alive=KEEP_ALIVE_S, proxy_headers=False,  # read by the app: --trusted-proxy
        root_path=settings.root_path,
        **limits.uvicorn_options(),
    )  # fmt: skip
