"""``masterstream user ...`` as a user runs it: a real process, stdin, exit codes."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

from masterstream.users import UserStore


def run(*args: str, data_dir, stdin: str = "", check: bool = True):
    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "masterstream", "user", *args, "--data-dir", str(data_dir)],
        input=stdin, capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def test_add_list_passwd_apikey_remove(tmp_path):
    run("add", "alice", "--admin", "--password-stdin", data_dir=tmp_path, stdin="first pass\n")
    run("add", "bob", "--password-stdin", data_dir=tmp_path, stdin="bobs password\n")
    key = run("apikey", "bob", "--label", "phone", data_dir=tmp_path).stdout.strip()
    assert key.startswith("msk_") and "\n" not in key
    listed = json.loads(run("list", "--json", data_dir=tmp_path).stdout)
    assert [(u["name"], u["role"], u["api_keys"]) for u in listed] == [
        ("alice", "admin", 0), ("bob", "user", 1)]  # fmt: skip
    run("passwd", "bob", "--password-stdin", data_dir=tmp_path, stdin="new password\n")
    with UserStore(tmp_path / "catalog.sqlite3") as store:
        assert store.accounts.authenticate("bob", "new password") is not None
        assert store.accounts.authenticate("bob", "bobs password") is None
        assert store.keys.user(key).name == "bob"
    with sqlite3.connect(tmp_path / "catalog.sqlite3") as db:
        assert "first pass" not in "\n".join(db.iterdump())
    run("remove", "bob", data_dir=tmp_path)
    assert [u["name"] for u in json.loads(run("list", "--json", data_dir=tmp_path).stdout)] == [
        "alice"]  # fmt: skip


def test_mistakes_are_one_line_errors(tmp_path):
    short = run("add", "alice", "--password-stdin", data_dir=tmp_path, stdin="short\n", check=False)
    assert (
        short.returncode == 1 and "at least 8" in short.stderr and "Traceback" not in short.stderr
    )
    run("add", "alice", "--admin", "--password-stdin", data_dir=tmp_path, stdin="long enough\n")
    again = run("add", "ALICE", "--password-stdin", data_dir=tmp_path, stdin="long enough\n",
                check=False)  # fmt: skip
    assert again.returncode == 1 and "already exists" in again.stderr
    missing = run("remove", "carol", data_dir=tmp_path, check=False)
    assert missing.returncode == 1 and "no user named 'carol'" in missing.stderr
    empty = run("passwd", "alice", "--password-stdin", data_dir=tmp_path, check=False)
    assert empty.returncode == 1 and "standard input is empty" in empty.stderr
