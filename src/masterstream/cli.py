"""The ``masterstream`` command: serve, scan, presets, info, render, warm, stats, config, user.

Errors a user can cause (unknown preset, bad intensity, missing or corrupt file, chunk
out of range) print one clear line to stderr and exit with status 1, never a traceback;
configuration errors and usage errors exit with status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .commands import config_app, register
from .commands.context import (
    CONFIG_PATH,
    AsJson,
    ConfigFile,
    DataDir,
    cli_settings,
    err,
    fail,
    out,
    progress_bar,
)
from .config import Settings
from .errors import ConfigError, MasterstreamError
from .users.cli import user_app

app = typer.Typer(
    name="masterstream",
    help="Stream music mastered on the fly, out of an observable two-tier chunk cache.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from . import __version__
        from .mastering import PIPELINE_VERSION

        out.print(f"masterstream {__version__} (pipeline {PIPELINE_VERSION})", highlight=False)
        raise typer.Exit()


@app.callback()
def main_options(
    config: ConfigFile = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Stream music mastered on the fly, out of an observable two-tier chunk cache."""
    CONFIG_PATH.set(config)


app.add_typer(user_app, name="user")
app.add_typer(config_app, name="config")
register(app)


def _settings(data_dir: Path | None) -> Settings:
    return cli_settings(data_dir=data_dir).settings


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
    with progress_bar() as progress, open_library(settings, ensure_demo=False) as library:
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


def main() -> None:
    """Run the command; every error a user can cause is one line on stderr."""
    try:
        code = app(standalone_mode=False)
    except ConfigError as exc:
        fail(exc, 2)
    except MasterstreamError as exc:
        fail(exc, 1)
    except typer.TyperException as exc:  # usage errors; a help page when arguments are missing
        message = exc.format_message().strip()
        if message and "\n" not in message:
            fail(message, exc.exit_code)
        if message:  # a help page, for a command run without its arguments
            print(message, file=sys.stderr)
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        fail("aborted", 1)
    raise SystemExit(code if isinstance(code, int) else 0)
