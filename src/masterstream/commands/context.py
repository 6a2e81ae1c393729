"""What every command shares: the consoles, the global ``--config`` file, settings loaded
with their origins, and help texts that name each option's environment variable."""

from __future__ import annotations

import logging
import os
import sys
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from ..config_options import config_options
from ..config_sources import CONFIG_ENV, LoadedSettings, load_settings

out = Console()
err = Console(stderr=True, soft_wrap=True)  # never wrapped: one line stays one line


CONFIG_PATH: ContextVar[Path | None] = ContextVar("masterstream_config_path", default=None)
"""The global ``--config`` of the command being run (set by the root callback)."""


def env_help(field: str, text: str | None = None) -> str:
    """An option's help with its environment variable (and its file twin for a secret)."""
    option = next(o for o in config_options() if o.field == field)
    env = f"{option.env} or {option.env}_FILE" if option.secret else option.env
    return f"{text or option.help} (env {env}; file key {option.key})"


DataDir = Annotated[Path | None, typer.Option("--data-dir", help=env_help("data_dir"))]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
ConfigFile = Annotated[
    Path | None,
    typer.Option("--config", help=f"TOML configuration file (env {CONFIG_ENV}; default: "
                 "the user config directory's masterstream.toml, if it exists).",
                 dir_okay=False),
]  # fmt: skip


def load(**cli: object) -> LoadedSettings:
    """Settings from the command line values given (None: not given), the environment and
    the configuration file named by ``--config``."""
    return load_settings(config_path=CONFIG_PATH.get(), environ=os.environ, cli=cli)


def cli_settings(**cli: object) -> LoadedSettings:
    """:func:`load`, with its warnings printed (for the commands that do not log)."""
    loaded = load(**cli)
    for level, message in loaded.notes:
        if level >= logging.WARNING:
            err.print(f"warning: {message}", highlight=False, markup=False)
    return loaded


def fail(message: object, code: int) -> None:
    """Print ``error: message`` as one line on stderr (whatever the terminal width), exit."""
    text = " ".join(str(message).splitlines())
    print(f"error: {text}", file=sys.stderr)
    raise SystemExit(code)


def progress_bar() -> Progress:
    """A transient progress bar on stderr."""
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
        TimeRemainingColumn(), console=err, transient=True,
    )  # fmt: skip
