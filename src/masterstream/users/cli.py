"""``masterstream user ...``: accounts from the command line (the ``user`` sub-command).

Passwords are read from standard input (``--password-stdin``, one line) or prompted for
without echo, never taken as arguments (which other users of the machine can see).
``user apikey`` prints only the new key on standard output, so it can be piped.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..errors import MasterstreamError
from .models import Role
from .store import UserStore

user_app = typer.Typer(help="Manage users: accounts, passwords, API keys.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Where the catalog (and its users) live "
                 "(default: MASTERSTREAM_DATA_DIR or the user data directory)."),
]  # fmt: skip
Name = Annotated[str, typer.Argument(help="The user's name.")]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]


def _store(data_dir: Path | None) -> UserStore:
    from ..commands.context import cli_settings  # the config file too, like every command

    return UserStore.for_settings(cli_settings(data_dir=data_dir).settings)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise MasterstreamError("--password-stdin: standard input is empty")
        return line.rstrip("\r\n")
    return typer.prompt("password", hide_input=True, confirmation_prompt=True)


@user_app.command("add")
def add(
    name: Name,
    admin: Annotated[bool, typer.Option("--admin", help="Make the user an admin.")] = False,
    password_stdin: PasswordStdin = False,
    data_dir: DataDir = None,
) -> None:
    """Create a user (the first one turns sign-in on for everyone)."""
    password = _password(password_stdin)
    with _store(data_dir) as store:
        user = store.accounts.add(name, password, Role.ADMIN if admin else Role.USER)
    err.print(f"added {user.role.value} {user.name!r}", highlight=False)


@user_app.command("list")
def list_users(
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List users and their roles."""
    with _store(data_dir) as store:
        users = store.accounts.list()
        keys = {u.id: len(store.keys.list(u.id)) for u in users}
    if as_json:
        print(json.dumps([{**u.to_dict(), "api_keys": keys[u.id]} for u in users]))
        return
    table = Table("name", "role", "API keys", "created")
    for user in users:
        table.add_row(user.name, user.role.value, str(keys[user.id]), user.created_at)
    out.print(table)


@user_app.command("passwd")
def passwd(name: Name, password_stdin: PasswordStdin = False, data_dir: DataDir = None) -> None:
    """Set a user's password (signs them out everywhere)."""
    password = _password(password_stdin)
    with _store(data_dir) as store:
        store.accounts.set_password(name, password)
    err.print(f"password of {name!r} changed; their sessions ended", highlight=False)


@user_app.command("remove")
def remove(name: Name, data_dir: DataDir = None) -> None:
    """Remove a user with their sessions and API keys."""
    with _store(data_dir) as store:
        store.accounts.remove(name)
        left = store.accounts.exist()
    note = "" if left else " (no user left: the server answers loopback clients only)"
    err.print(f"removed {name!r}{note}", highlight=False)


@user_app.command("apikey")
def apikey(
    name: Name,
    label: Annotated[str, typer.Option(help="What the key is for (shown in lists).")] = "",
    data_dir: DataDir = None,
) -> None:
    """Print a new API key for a user (shown this once: store it now)."""
    with _store(data_dir) as store:
        key = store.keys.create(store.accounts.get(name), label)
    print(key.secret)


@user_app.command("subsonic")
def subsonic(
    name: Name,
    password_stdin: PasswordStdin = False,
    generate: Annotated[
        bool, typer.Option("--generate", help="Generate a strong password and print it.")
    ] = False,
    disable: Annotated[bool, typer.Option("--disable", help="Turn Subsonic access off.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Set (or generate, or disable) a user's Subsonic password: what Subsonic apps sign
    in with under /rest, separate from the sign-in password."""
    if password_stdin + generate + disable > 1:
        raise MasterstreamError("choose one of --password-stdin, --generate and --disable")
    if disable:
        with _store(data_dir) as store:
            user = store.accounts.get(name)
            was_on = store.subsonic.disable(user.id)
        err.print(f"Subsonic access of {name!r} {'off' if was_on else 'was not on'}",
                  highlight=False)  # fmt: skip
        return
    password = None if generate else _password(password_stdin)
    with _store(data_dir) as store:
        chosen = store.subsonic.enable(store.accounts.get(name), password)
    if generate:
        print(chosen)
    err.print(f"Subsonic access of {name!r} on", highlight=False)
