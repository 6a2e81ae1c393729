"""Every configuration option as the user spells it: its key in the TOML file, its
environment variable, its unit, its one line of help, and how a value is checked.

Keys are the :class:`~masterstream.config.Settings` field names, except capacities, which
are in MB everywhere a user types them (``tier1_mb`` for ``tier1_capacity_bytes``). A
secret (``*_token``, ``*_password``, a ``*_url`` that may hold a password) can also come
from a file: ``<key>_file``.
"""

from __future__ import annotations

import types
import typing
from dataclasses import MISSING, dataclass, fields
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .config import ENV_PREFIX, MB, Settings
from .errors import ConfigError

MASK = "****"
SECRET_SUFFIXES = ("_token", "_password", "_url")
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
RENAMED = {"tier1_capacity_bytes": "tier1_mb", "tier2_capacity_bytes": "tier2_mb"}
HELP = {
    "data_dir": "Where the catalog and the demo library live.",
    "library_dir": "Music folder (unset: the demo library in data_dir).",
    "cache_dir": "Disk cache (tier2) folder (unset: the user cache directory; data_dir/cache "
    "for another data_dir or an older install's cache).",
    "chunk_duration_s": "Seconds of audio in one streamed chunk.",
    "tier1_capacity_bytes": "Memory tier capacity in MB.",
    "tier2_capacity_bytes": "Disk tier capacity in MB.",
    "eviction_policy": "Eviction policy of the cache tiers ('default': LRU in memory, "
    "adaptive LRU/S3-FIFO on disk, scored on the requests of both tiers).",
    "render_workers": "Render workers (0: sized to the machine).",
    "render_pool": "Render in a 'thread' pool or a 'process' pool (fault isolation).",
    "host": "Address to bind (127.0.0.1: this machine only).",
    "port": "Port to listen on.",
    "admin_token": "Bearer token for the admin endpoints (prefer admin_token_file).",
    "trace_path": "Append one JSON line per chunk request to this file (bench/ replays).",
    "allowed_hosts": "Host names answered besides loopback and the bind address ('*': any).",
    "allowed_origins": "Other sites allowed to write and open /ws (https://app.example).",
    "trusted_proxies": "Proxies (addresses or networks) whose X-Forwarded-* and "
    "X-Request-ID headers are believed.",
    "metrics_public": "Serve /metrics to anyone, not only loopback clients and admins.",
    "render_budget_per_minute": "Cold renders a user may cause per minute (0: no limit).",
    "session_ttl_s": "Seconds a sign-in session lasts.",
    "max_body_bytes": "Larger request bodies are refused with 413.",
    "watch_library": "Rescan files as the library folder changes.",
    "watch_quiet_s": "Seconds the library folder must be quiet before a batch is scanned.",
    "rescan_interval_s": "Seconds between full rescans (0: never), besides watching.",
    "redis_url": "Share a tier with other servers: redis://[:PASSWORD@]HOST:PORT/DB.",
    "database_url": "Keep the catalog in PostgreSQL, shared by several servers: "
    "postgresql://USER[:PASSWORD]@HOST:PORT/DB (unset: SQLite in data_dir).",
    "redis_timeout_ms": "Milliseconds each shared-tier call may take before it counts as failed.",
    "server_id": "This server's name in stats and metrics (unset: hostname:port).",
    "disk_probe_interval_s": "Seconds between write probes of a degraded disk tier.",
    "header_timeout_s": "Seconds a request's headers may take to arrive (slow clients).",
    "max_connections": "Open HTTP connections at most; the oldest idle one makes room.",
    "log_level": "Log level: debug, info, warning or error.",
    "log_format": "Log lines as 'text' (for people) or 'json' (for log shippers).",
    "access_log": "Log every request (method, path, status, time, source, bytes).",
    "stats_interval_s": "Seconds between cache_stats frames on /ws.",
    "server_url": "The running server `warm` and `stats` talk to (unset: http://127.0.0.1:PORT).",
    "root_path": "Sub-path a reverse proxy serves this under and strips, e.g. /music "
    "(unset: the root of its host).",
    "plan_presets": "Presets planned for every track in the background, in this order, so a "
    "first play or a preset switch needs no analysis (unset: every mastered preset; "
    "empty: none).",
}


@dataclass(frozen=True, slots=True)
class ConfigOption:
    """One option: Settings ``field``, user-facing ``key``, value ``kind`` and ``scale``
    (user unit to field unit)."""

    field: str
    key: str
    kind: str  # path, str, int, float, bool, list
    scale: int
    help: str

    @property
    def default(self) -> object:
        """The default in field units (None: unset)."""
        f = Settings.__dataclass_fields__[self.field]
        return f.default if f.default is not MISSING else f.default_factory()  # type: ignore[misc]

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.key.upper()

    @property
    def legacy_env(self) -> str | None:
        """The older variable in field units (``MASTERSTREAM_TIER1_CAPACITY_BYTES``)."""
        return ENV_PREFIX + self.field.upper() if self.key != self.field else None

    @property
    def secret(self) -> bool:
        return self.key.endswith(SECRET_SUFFIXES)

    @property
    def flag(self) -> str:
        return "--" + self.key.replace("_", "-")

    def to_user(self, value: object) -> object:
        """A field value in the unit the user types (MB for capacities)."""
        return value / self.scale if self.scale != 1 and isinstance(value, int) else value

    def from_text(self, raw: str, where: str) -> object:
        """The field value of an environment variable's text."""
        if self.kind in ("path", "str"):
            return Path(raw).expanduser() if self.kind == "path" else raw
        if self.kind == "list":
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        if self.kind == "bool":
            if raw.lower() not in TRUE | FALSE:
                raise ConfigError(f"{where} must be true or false, got {raw!r}")
            return raw.lower() in TRUE
        try:
            number = float(raw) if self.kind == "float" or self.scale != 1 else int(raw)
        except ValueError:
            noun = "an integer" if self.kind == "int" and self.scale == 1 else "a number"
            raise ConfigError(f"{where} must be {noun}, got {raw!r}") from None
        return self._scaled(number)

    def from_toml(self, value: object, where: str) -> object:
        """The field value of a TOML value (types checked, no conversion from text)."""
        expected = {"path": str, "str": str, "bool": bool, "list": list}.get(self.kind)
        if expected is not None:
            if not isinstance(value, expected) or (
                expected is list and not all(isinstance(v, str) for v in value)
            ):
                noun = {str: "a string", bool: "true or false", list: "a list of strings"}
                raise ConfigError(f"{where} must be {noun[expected]}, got {value!r}")
            if self.kind == "path":
                return Path(value).expanduser()
            return tuple(value) if expected is list else value
        integral = self.kind == "int" and self.scale == 1
        if isinstance(value, bool) or not isinstance(value, int if integral else int | float):
            noun = "an integer" if integral else "a number"
            raise ConfigError(f"{where} must be {noun}, got {value!r}")
        return self._scaled(value)

    def _scaled(self, number: float) -> object:
        if self.scale == 1:
            return float(number) if self.kind == "float" else number
        return round(number * self.scale)


def _kind(annotation: object) -> str:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        annotation = args[0]
    if typing.get_origin(annotation) is tuple:
        return "list"
    names = {Path: "path", str: "str", int: "int", float: "float", bool: "bool"}
    return names[annotation]  # type: ignore[index]


@cache
def config_options() -> tuple[ConfigOption, ...]:
    """Every Settings field as an option, in declaration order."""
    hints = typing.get_type_hints(Settings)
    options = []
    for f in fields(Settings):
        key = RENAMED.get(f.name, f.name)
        scale = MB if key != f.name else 1
        options.append(ConfigOption(f.name, key, _kind(hints[f.name]), scale, HELP.get(f.name, "")))
    return tuple(options)


def options_by_key() -> dict[str, ConfigOption]:
    return {option.key: option for option in config_options()}


def mask(option: ConfigOption, value: object) -> object:
    """``value`` with its secret hidden: a token whole, a URL's password only."""
    if not option.secret or value is None:
        return value
    if not option.key.endswith("_url"):
        return MASK
    parts = urlsplit(str(value))
    if parts.password is None:
        return value
    userinfo = f"{parts.username or ''}:{MASK}@"
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=userinfo + host))
