"""``masterstream config show|init``: the effective configuration with where each value
came from (secrets masked), and a commented configuration file with every option."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ..config_options import ConfigOption, config_options, mask
from ..config_sources import FILE_SUFFIX, default_config_path
from ..errors import MasterstreamError
from .context import AsJson, cli_settings, err, out

config_app = typer.Typer(help="Show the effective configuration or write a default file.",
                         no_args_is_help=True)  # fmt: skip
HEADER = """\
# masterstream configuration (TOML), written by `masterstream config init`.
# Precedence: command line > environment > this file > defaults.
# Every option is listed, commented out, at its default: uncomment a line to change it.
# A secret (*_token, *_url) can instead be read from a file: <key>_file = "/path/to/file"
# (read at start, surrounding whitespace stripped; keep it readable by you alone).
"""


def user_value(option: ConfigOption, value: object) -> object:
    """A field value as the user writes it: MB for capacities, text for paths, lists."""
    value = option.to_user(value)
    if isinstance(value, float) and option.scale != 1 and value.is_integer():
        return int(value)
    if isinstance(value, Path):
        return str(value)
    return list(value) if isinstance(value, tuple) else value


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(v) for v in value) + "]"
    return json.dumps(str(value))


def template() -> str:
    """The commented default file: every option's help, environment variable and default."""
    parts = [HEADER]
    for option in config_options():
        default = option.default
        env = option.env + (f" (or {option.env}_FILE)" if option.secret else "")
        shown = "unset" if default is None else toml_value(user_value(option, default))
        parts.append(f"\n# {option.help}\n# env {env}; default: {shown}\n")
        value = "" if default is None else " " + toml_value(user_value(option, default))
        parts.append(f"# {option.key} ={value}\n")
        if option.secret:
            parts.append(f"# {option.key}{FILE_SUFFIX} =\n")
    return "".join(parts)


@config_app.command("show")
def show(as_json: AsJson = False) -> None:
    """Print the effective configuration, secrets masked, with where each value came from."""
    loaded = cli_settings()
    rows: list[dict[str, Any]] = []
    for option in config_options():
        value = getattr(loaded.settings, option.field)
        shown = mask(option, user_value(option, value) if value is not None else None)
        rows.append({"key": option.key, "value": shown, "origin": loaded.origins[option.field],
                     "env": option.env})  # fmt: skip
    if as_json:
        path = str(loaded.config_path) if loaded.config_path else None
        print(json.dumps({"config_file": path, "options": rows}, indent=2))
        return
    err.print(f"config file: {loaded.config_path or 'none'}", highlight=False, markup=False)
    table = Table("key")
    table.add_column("value", overflow="fold")  # paths wrap, never cut
    table.add_column("from", overflow="fold")
    for row in rows:
        table.add_row(row["key"], "—" if row["value"] is None else toml_value(row["value"]),
                      row["origin"])  # fmt: skip
    out.print(table)


@config_app.command("init")
def init(
    path: Annotated[
        Path | None,
        typer.Option(
            help="Where to write (default: the user config directory's "
            "masterstream.toml, read by every command).",
            dir_okay=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented configuration file with every option at its default."""
    target = (path or default_config_path()).expanduser()
    if target.exists() and not force:
        raise MasterstreamError(f"{target} exists; use --force to overwrite it")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # may hold secrets
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(template())
    except OSError as exc:
        raise MasterstreamError(f"cannot write {target}: {exc.strerror or exc}") from None
    err.print(f"wrote {target}", highlight=False, markup=False)
