"""Settings from their four sources, each above the one before: defaults, the TOML file,
the environment, the command line; and where each value came from.

A secret can come from a file (``admin_token_file``, ``MASTERSTREAM_ADMIN_TOKEN_FILE``,
``--admin-token-file``): read at start, whitespace stripped, so it stays out of ``ps`` and
shell history. Only the winning source's file is read.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_config_dir

from .config import Settings, default_cache_dir, default_data_dir, platform_cache_dir
from .config_options import MASK, ConfigOption, config_options, options_by_key
from .errors import ConfigError

CONFIG_ENV = "MASTERSTREAM_CONFIG"
CONFIG_FILE_NAME = "masterstream.toml"
FILE_SUFFIX = "_file"
DEFAULT = "default"


def default_config_path() -> Path:
    return Path(user_config_dir("masterstream", appauthor=False)) / CONFIG_FILE_NAME


@dataclass(frozen=True, slots=True)
class Source:
    """One value of one layer: field units, or the path of a secret file."""

    value: object
    origin: str  # "file PATH", "env NAME", "cli"
    secret_file: bool = False


@dataclass(frozen=True, slots=True)
class LoadedSettings:
    """The effective settings, each field's origin, the file read and what to tell the user
    (``(logging level, message)``, logged once the logging set-up exists)."""

    settings: Settings
    origins: dict[str, str]
    config_path: Path | None
    notes: tuple[tuple[int, str], ...] = field(default=())


def resolve_config_path(explicit: Path | None, environ: Mapping[str, str]) -> Path | None:
    """The file to read: ``explicit``, else ``$MASTERSTREAM_CONFIG``, else the default one if
    it exists. A named file that does not exist is an error."""
    if explicit is None and environ.get(CONFIG_ENV):
        explicit = Path(environ[CONFIG_ENV])
    if explicit is not None:
        explicit = explicit.expanduser()
        if not explicit.is_file():
            raise ConfigError(f"config file {explicit} does not exist")
        return explicit
    default = default_config_path()
    return default if default.is_file() else None


def _option(key: str) -> tuple[ConfigOption | None, bool]:
    """The option a key names, and whether the key is its secret-file twin."""
    options = options_by_key()
    if key.endswith(FILE_SUFFIX) and key.removesuffix(FILE_SUFFIX) in options:
        option = options[key.removesuffix(FILE_SUFFIX)]
        return (option, True) if option.secret else (None, False)
    return options.get(key), False


def _put(layer: dict[str, Source], option: ConfigOption, source: Source, where: str) -> None:
    if option.field in layer and layer[option.field].secret_file != source.secret_file:
        raise ConfigError(f"{where}: set {option.key} or {option.key}{FILE_SUFFIX}, not both")
    layer[option.field] = source


def file_layer(path: Path) -> dict[str, Source]:
    """The values of a TOML file; unknown keys and wrong types name the key, file and line."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path}: {exc}") from None
    layer: dict[str, Source] = {}
    for key, value in data.items():
        table = isinstance(value, dict)
        pattern = (
            rf"^[ \t]*\[+[ \t]*{re.escape(key)}" if table else rf"^[ \t]*{re.escape(key)}[ \t]*="
        )
        line = re.search(pattern, text, re.MULTILINE)
        where = f"{path}" + (f" line {text.count(chr(10), 0, line.start()) + 1}" if line else "")
        option, secret_file = _option(key)
        if table:
            raise ConfigError(f"{where}: unknown table [{key}] (options are top-level keys)")
        if option is None:
            renamed = [o.key for o in config_options() if o.field == key]  # in MB now
            close = renamed or difflib.get_close_matches(key, [*options_by_key()], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{where}: unknown key {key!r}{hint}")
        if secret_file:
            if not isinstance(value, str):
                raise ConfigError(f"{where}: {key} must be a string, got {value!r}")
            source = Source(Path(value).expanduser(), f"file {path} ({key})", True)
        else:
            source = Source(option.from_toml(value, f"{where}: {key}"), f"file {path}")
        _put(layer, option, source, f"{where}")
    return layer


def env_layer(environ: Mapping[str, str]) -> dict[str, Source]:
    """The ``MASTERSTREAM_*`` variables that are set and not empty."""
    layer: dict[str, Source] = {}
    for option in config_options():
        legacy = option.legacy_env
        if legacy and environ.get(legacy) and not environ.get(option.env):
            unscaled = ConfigOption(option.field, option.field, option.kind, 1, option.help)
            layer[option.field] = Source(
                unscaled.from_text(environ[legacy], legacy), f"env {legacy}"
            )
        if environ.get(option.env):
            raw = environ[option.env]
            source = Source(option.from_text(raw, option.env), f"env {option.env}")
            _put(layer, option, source, "environment")
        file_env = option.env + FILE_SUFFIX.upper()
        if option.secret and environ.get(file_env):
            path = Path(environ[file_env]).expanduser()
            _put(layer, option, Source(path, f"env {file_env}", True), "environment")
    return layer


def cli_layer(values: Mapping[str, object]) -> dict[str, Source]:
    """Command-line values by field name (``<field>_file`` for a secret's file); None: unset."""
    layer: dict[str, Source] = {}
    for name, value in values.items():
        if value is None:
            continue
        option, secret_file = _option(name) if name.endswith(FILE_SUFFIX) else (None, False)
        option = option or next((o for o in config_options() if o.field == name), None)
        if option is None:
            raise TypeError(f"unknown setting {name!r}")
        _put(layer, option, Source(value, "cli", secret_file), "command line")
    return layer


def read_secret_file(path: Path, where: str, notes: list[tuple[int, str]]) -> str:
    """A secret file's text, whitespace stripped; a note if others may read it."""
    try:
        mode = path.stat().st_mode
        secret = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise ConfigError(f"{where}: cannot read secret file {path}: {reason}") from None
    if not secret:
        raise ConfigError(f"{where}: secret file {path} is empty")
    if mode & 0o077:
        notes.append((logging.WARNING, f"secret file {path} can be read by other users "
                      f"(mode {mode & 0o777:o}): chmod 600 {path}"))  # fmt: skip
    return secret


def load_settings(
    *, config_path: Path | None = None, environ: Mapping[str, str] | None = None,
    cli: Mapping[str, object] | None = None, read_file: bool = True,
) -> LoadedSettings:  # fmt: skip
    """The effective settings: CLI > environment > file > defaults, validated once."""
    environ = os.environ if environ is None else environ
    path = resolve_config_path(config_path, environ) if read_file else None
    merged: dict[str, Source] = file_layer(path) if path is not None else {}
    merged |= env_layer(environ)
    merged |= cli_layer(cli or {})
    notes: list[tuple[int, str]] = []
    values: dict[str, object] = {}
    for name, source in merged.items():
        secret_file = source.secret_file and isinstance(source.value, Path)
        values[name] = (
            read_secret_file(source.value, source.origin, notes) if secret_file else source.value
        )
    origins = {o.field: merged[o.field].origin if o.field in merged else DEFAULT
               for o in config_options()}  # fmt: skip
    try:
        settings = Settings(**values)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        message = str(exc)
        for option in config_options():  # a secret never shows, not even a wrong one
            if option.secret and isinstance(values.get(option.field), str):
                message = message.replace(str(values[option.field]), MASK)
        keys = {o.field: o.key for o in config_options()}
        named = [f"{keys[n]} from {s.origin}" for n, s in merged.items() if n in message]
        raise ConfigError(message + (f" ({', '.join(named)})" if named else "")) from None
    if settings.cache_dir is None:
        settings = _place_cache(settings, origins, notes)
    return LoadedSettings(settings, origins, path, tuple(notes))


def _place_cache(
    settings: Settings, origins: dict[str, str], notes: list[tuple[int, str]]
) -> Settings:
    cache_dir = default_cache_dir(settings.data_dir)
    if settings.data_dir == default_data_dir() and cache_dir == settings.data_dir / "cache":
        origins["cache_dir"] = f"{DEFAULT} (an older install's cache, kept)"
        notes.append((logging.INFO, f"using the disk cache at {cache_dir}, an older install's "
                      "place inside the data directory that backups include; to move it, stop "
                      f"the server and move it to {platform_cache_dir()}"))  # fmt: skip
    return settings.with_overrides(cache_dir=cache_dir)
