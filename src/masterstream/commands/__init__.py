"""The sub-commands of ``masterstream`` kept out of :mod:`masterstream.cli`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .config import config_app
from .remote import stats, warm
from .render import render
from .serve import serve

if TYPE_CHECKING:
    import typer

__all__ = ["config_app", "register"]


def register(app: typer.Typer) -> None:
    """Add the top-level commands defined here to ``app``."""
    for command in (render, serve, warm, stats):
        app.command()(command)
