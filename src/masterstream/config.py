"""The one settings object. The configuration file and environment variables are read only
at the edge (:func:`masterstream.config_sources.load_settings`, used by the CLI, and
:meth:`Settings.from_env`); everything else takes a ``Settings``. What a user types for each
field (file key, environment variable, unit) is in :mod:`masterstream.config_options`."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from platformdirs import user_cache_dir, user_data_dir

from .audio.chunks import DEFAULT_CHUNK_DURATION_S
from .logs import LOG_FORMATS, LOG_LEVELS

ENV_PREFIX = "MASTERSTREAM_"
MB = 1_000_000
RENDER_POOLS = ("thread", "process")
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
DATABASE_SCHEMES = ("postgresql://", "postgres://")


def default_data_dir() -> Path:
    return Path(user_data_dir("masterstream", appauthor=False))


def default_cache_dir(data_dir: Path) -> Path:
    """The disk cache when none is configured: the user cache directory (out of the data
    directory that backups include) for the default data directory, unless an older
    install's ``data_dir/cache`` exists; ``data_dir/cache`` for any other data directory,
    so servers with separate data directories never share one disk tier."""
    legacy = data_dir / "cache"
    if data_dir != default_data_dir() or legacy.is_dir():
        return legacy
    return platform_cache_dir()


def platform_cache_dir() -> Path:
    return Path(user_cache_dir("masterstream", appauthor=False)) / "cache"


def _mastered_presets() -> tuple[str, ...]:
    from .mastering.presets import mastered_preset_names  # numpy: only when asked

    return mastered_preset_names()


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable, with the defaults the documentation promises."""

    data_dir: Path = field(default_factory=default_data_dir)
    library_dir: Path | None = None  # None: the built-in demo library under data_dir
    cache_dir: Path | None = None  # None: see default_cache_dir
    chunk_duration_s: float = DEFAULT_CHUNK_DURATION_S
    tier1_capacity_bytes: int = 12 * MB
    tier2_capacity_bytes: int = 240 * MB
    eviction_policy: str = "default"
    render_workers: int = 0  # 0: sized to the machine
    render_pool: str = "thread"  # "thread" (measured default) or "process" (fault isolation)
    host: str = "127.0.0.1"
    port: int = 8765
    admin_token: str | None = None
    trace_path: Path | None = None  # record every chunk request (time, key, size, source)
    allowed_hosts: tuple[str, ...] = ()  # Host names served besides loopback and the bind address
    allowed_origins: tuple[str, ...] = ()  # other sites allowed to write and open /ws
    metrics_public: bool = False  # /metrics open to everyone, not only loopback and admins
    render_budget_per_minute: int = 120  # cold renders per user (0: unlimited)
    session_ttl_s: float = 14 * 24 * 3600.0
    max_body_bytes: int = 1_000_000  # larger request bodies are refused with 413
    trusted_proxies: tuple[str, ...] = ()  # addresses whose X-Request-ID / X-Forwarded-* count
    watch_library: bool = True  # rescan changed files as the library folder changes
    watch_quiet_s: float = 0.5  # a batch of changes is scanned once the folder is this quiet
    rescan_interval_s: float = 6 * 3600.0  # full rescan this often (0: never), besides watching
    redis_url: str | None = None  # redis://HOST:PORT/DB: a shared tier with other servers
    redis_timeout_ms: float = 50.0  # each shared-tier call; slower counts as a failure
    database_url: str | None = None  # postgresql://…: one catalog for several servers
    server_id: str | None = None  # this server in stats and metrics (default hostname:port)
    disk_probe_interval_s: float = 30.0  # a degraded disk tier tries writing again this often
    header_timeout_s: float = 10.0  # a request's headers must arrive within this (slowloris)
    max_connections: int = 1000  # open HTTP connections; the oldest idle one makes room
    log_level: str = "info"  # one of logs.LOG_LEVELS
    log_format: str = "text"  # "text" (for people) or "json" (for log shippers)
    access_log: bool = False  # one log line per request
    stats_interval_s: float = 2.0  # between cache_stats frames on /ws
    server_url: str | None = None  # the server `warm`/`stats` talk to (default: loopback:port)
    root_path: str = ""  # served under this sub-path by a proxy that strips it ("/music")
    plan_presets: tuple[str, ...] | None = None  # planned for every track (None: all mastered)

    def __post_init__(self) -> None:
        if self.plan_presets is not None:
            mastered = _mastered_presets()
            unknown = [name for name in self.plan_presets if name not in mastered]
            if unknown:
                named = ", ".join(map(repr, unknown))
                raise ValueError(f"plan_presets must name mastered presets "
                                 f"({', '.join(mastered)}), got {named}")  # fmt: skip
        if self.render_pool not in RENDER_POOLS:
            raise ValueError(f"render_pool must be one of {', '.join(RENDER_POOLS)}, "
                             f"got {self.render_pool!r}")  # fmt: skip
        for name in ("tier1_capacity_bytes", "tier2_capacity_bytes"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if not 0 < self.port < 65536:
            raise ValueError(f"port must be in 1..65535, got {self.port}")
        if self.render_workers < 0:
            raise ValueError(f"render_workers must be >= 0, got {self.render_workers}")
        if self.render_budget_per_minute < 0:
            raise ValueError("render_budget_per_minute must be >= 0 (0: unlimited), "
                             f"got {self.render_budget_per_minute}")  # fmt: skip
        if self.session_ttl_s <= 0 or self.max_body_bytes <= 0:
            raise ValueError("session_ttl_s and max_body_bytes must be positive")
        if self.watch_quiet_s <= 0 or self.rescan_interval_s < 0:
            raise ValueError("watch_quiet_s must be positive and rescan_interval_s >= 0")
        if self.redis_timeout_ms <= 0:
            raise ValueError(f"redis_timeout_ms must be positive, got {self.redis_timeout_ms}")
        if self.log_level not in LOG_LEVELS or self.log_format not in LOG_FORMATS:
            raise ValueError(f"log_level must be one of {', '.join(LOG_LEVELS)} and log_format "
                             f"one of {', '.join(LOG_FORMATS)}, got {self.log_level!r}, "
                             f"{self.log_format!r}")  # fmt: skip
        if self.stats_interval_s <= 0:
            raise ValueError(f"stats_interval_s must be positive, got {self.stats_interval_s}")
        for name in ("disk_probe_interval_s", "header_timeout_s", "max_connections"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.database_url is not None and not self.database_url.startswith(DATABASE_SCHEMES):
            schemes = " or ".join(DATABASE_SCHEMES)
            raise ValueError(f"database_url must start with {schemes}")
        if self.root_path and not (self.root_path.startswith("/") and self.root_path[-1] != "/"):
            raise ValueError("root_path must be empty or start with '/' and not end with '/', "
                             f"got {self.root_path!r}")  # fmt: skip
        if self.redis_url is not None and not self.redis_url.startswith(REDIS_SCHEMES):
            raise ValueError(f"redis_url must start with {' or '.join(REDIS_SCHEMES)}, "
                             f"got {self.redis_url!r}")  # fmt: skip

    @property
    def effective_server_id(self) -> str:
        return self.server_id or f"{socket.gethostname()}:{self.port}"

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite3"

    @property
    def catalog_target(self) -> str | Path:
        """Where the catalog lives: ``database_url`` (PostgreSQL), else the SQLite file."""
        return self.database_url or self.catalog_path

    @property
    def demo_library_dir(self) -> Path:
        return self.data_dir / "demo-library"

    @property
    def effective_library_dir(self) -> Path:
        return self.library_dir if self.library_dir is not None else self.demo_library_dir

    @property
    def effective_cache_dir(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else default_cache_dir(self.data_dir)

    @property
    def effective_plan_presets(self) -> tuple[str, ...]:
        """The presets planned for every track in the background, in the order given."""
        return _mastered_presets() if self.plan_presets is None else self.plan_presets

    @property
    def effective_server_url(self) -> str:
        return self.server_url or f"http://127.0.0.1:{self.port}"

    def with_overrides(self, **overrides: object) -> Settings:
        """A copy with every override that is not None applied."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from ``MASTERSTREAM_*`` variables (no config file), then explicit
        overrides (None: not given) on top. The CLI uses :func:`config_sources.load_settings`."""
        from .config_sources import load_settings

        return load_settings(environ=environ, cli=overrides, read_file=False).settings
