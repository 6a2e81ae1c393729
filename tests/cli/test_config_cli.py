"""``masterstream config init|show``, ``--config``, secret files and one-line errors, run as
real processes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from masterstream.config_options import config_options


def show(cli, *args: str, env: dict[str, str] | None = None) -> dict:
    data = json.loads(cli(*args, "config", "show", "--json", env=env).stdout)
    return {row["key"]: row for row in data["options"]} | {"": data["config_file"]}


def test_init_then_show_round_trip(cli):
    cli("config", "init")
    path = cli.default_config
    assert path.stat().st_mode & 0o777 == 0o600
    text = path.read_text()
    for option in config_options():  # every option: help, env name, key
        assert f"# {option.help}\n# env {option.env}" in text and f"# {option.key} =" in text
    before = show(cli)
    assert before[""] == str(path)
    assert {row["origin"] for k, row in before.items() if k} == {"default"}
    # every default written in the file, uncommented, reads back as the same value
    uncommented = re.sub(r"^# (\w+ = .+)$", r"\1", text, flags=re.MULTILINE)
    path.write_text(uncommented)
    after = show(cli)
    set_keys = [o.key for o in config_options() if o.default is not None]
    assert len(set_keys) >= 25
    for key in set_keys:
        assert after[key]["value"] == before[key]["value"], key
        assert after[key]["origin"] == f"file {path}", key
    assert after["library_dir"]["origin"] == "default"  # unset options stay commented out


def test_init_refuses_to_overwrite_without_force(cli, tmp_path):
    target = tmp_path / "etc" / "ms.toml"
    cli("config", "init", "--path", str(target))
    target.write_text("port = 9000\n")
    refused = cli("config", "init", "--path", str(target), check=False)
    assert refused.returncode == 1 and "exists; use --force" in refused.stderr
    assert len(refused.stderr.splitlines()) == 1 and target.read_text() == "port = 9000\n"
    cli("config", "init", "--path", str(target), "--force")
    assert target.read_text().startswith("# masterstream configuration")


def test_precedence_through_the_real_command(cli, tmp_path):
    config = tmp_path / "ms.toml"
    config.write_text('port = 9001\nhost = "0.0.0.0"\ntier1_mb = 20\n')
    rows = show(cli, "--config", str(config), env={"MASTERSTREAM_PORT": "9002"})
    assert rows[""] == str(config)
    assert (rows["port"]["value"], rows["port"]["origin"]) == (9002, "env MASTERSTREAM_PORT")
    assert (rows["host"]["value"], rows["host"]["origin"]) == ("0.0.0.0", f"file {config}")
    assert rows["tier1_mb"]["value"] == 20 and rows["tier2_mb"]["origin"] == "default"
    by_env = show(cli, env={"MASTERSTREAM_CONFIG": str(config)})
    assert by_env["port"]["value"] == 9001


def test_secret_file_is_read_and_masked_in_config_show(cli, tmp_path):
    token = tmp_path / "token"
    token.write_text("very-secret-token\n")
    token.chmod(0o600)
    result = cli("config", "show", "--json", env={"MASTERSTREAM_ADMIN_TOKEN_FILE": str(token)})
    rows = {row["key"]: row for row in json.loads(result.stdout)["options"]}
    assert rows["admin_token"] == {"key": "admin_token", "value": "****",
                                   "origin": "env MASTERSTREAM_ADMIN_TOKEN_FILE",
                                   "env": "MASTERSTREAM_ADMIN_TOKEN"}  # fmt: skip
    assert "very-secret-token" not in result.stdout + result.stderr
    table = cli("config", "show", env={"MASTERSTREAM_REDIS_URL": "redis://:pw1@h:6379/0"})
    assert "redis://:****@h:6379/0" in table.stdout and "pw1" not in table.stdout
    token.chmod(0o644)
    warned = cli("config", "show", env={"MASTERSTREAM_ADMIN_TOKEN_FILE": str(token)})
    assert f"warning: secret file {token} can be read by other users" in warned.stderr


def test_user_commands_use_the_config_files_data_dir(cli, tmp_path):
    config = tmp_path / "ms.toml"
    config.write_text(f'data_dir = "{tmp_path / "srv"}"\n')
    cli("--config", str(config), "user", "add", "ann", "--admin", "--password-stdin",
        stdin="correct horse battery\n")  # fmt: skip
    assert (tmp_path / "srv" / "catalog.sqlite3").is_file()
    listed = json.loads(
        cli("user", "list", "--json", env={"MASTERSTREAM_CONFIG": str(config)}).stdout
    )
    assert [u["name"] for u in listed] == ["ann"]


@pytest.mark.parametrize(
    ("args", "env", "code", "message"),
    [
        (["--config", "{tmp}/missing.toml", "config", "show"], {}, 2,
         "error: config file {tmp}/missing.toml does not exist"),
        (["config", "show"], {"MASTERSTREAM_CONFIG": "{tmp}/gone.toml"}, 2,
         "error: config file {tmp}/gone.toml does not exist"),
        (["config", "show"], {"MASTERSTREAM_CONFIG": "{tmp}/bad.toml"}, 2,
         "error: {tmp}/bad.toml line 2: unknown key 'tier1_capacity_bytes' "
         "(did you mean 'tier1_mb'?)"),
        (["config", "show"], {"MASTERSTREAM_PORT": "eighty"}, 2,
         "error: MASTERSTREAM_PORT must be an integer, got 'eighty'"),
        (["serve", "--no-such-flag"], {}, 2,
         "error: No such option: --no-such-flag"),
        (["info", "/a/long/path/that/does/not/exist/anywhere/on/this/machine.wav"], {}, 1,
         "error: no such file, and not a catalog track id: /a/long/path/that/does/not/exist/"),
    ],
)  # fmt: skip
def test_errors_are_one_line_at_any_terminal_width(cli, tmp_path, args, env, code, message):
    (tmp_path / "bad.toml").write_text("port = 9000\ntier1_capacity_bytes = 5\n")
    fill = {k: v.replace("{tmp}", str(tmp_path)) for k, v in env.items()}
    result = cli(*[a.replace("{tmp}", str(tmp_path)) for a in args],
                 env={**fill, "COLUMNS": "40"}, check=False)  # fmt: skip
    assert result.returncode == code
    [line] = result.stderr.splitlines()
    assert line.startswith(message.replace("{tmp}", str(tmp_path))) and "Traceback" not in line


def test_help_names_every_environment_variable_and_completion_is_on(cli):
    root = cli("--help").stdout
    assert "--install-completion" in root and "--show-completion" in root
    assert "MASTERSTREAM_CONFIG" in root
    serve_help = " ".join(cli("serve", "--help", env={"COLUMNS": "250"}).stdout.split())
    for env in ("MASTERSTREAM_PORT", "MASTERSTREAM_ADMIN_TOKEN or MASTERSTREAM_ADMIN_TOKEN_FILE",
                "MASTERSTREAM_TIER1_MB", "MASTERSTREAM_CACHE_DIR", "MASTERSTREAM_LOG_LEVEL",
                "MASTERSTREAM_REDIS_URL or MASTERSTREAM_REDIS_URL_FILE",
                "MASTERSTREAM_TRUSTED_PROXIES"):  # fmt: skip
        assert env in serve_help, env
    bare = cli("config", check=False)  # a group without its command: its help, no error line
    assert bare.returncode == 2 and "init" in bare.stdout + bare.stderr
    assert "error:" not in bare.stdout + bare.stderr
    script = Path(sys.executable).with_name("masterstream")
    shown = subprocess.run([script, "--show-completion", "bash"], capture_output=True, text=True,
                           env=cli.env, check=True)  # fmt: skip
    assert "_MASTERSTREAM_COMPLETE=complete_bash" in shown.stdout
    env = {**cli.env, "_MASTERSTREAM_COMPLETE": "complete_bash", "COMP_CWORD": "2",
           "COMP_WORDS": "masterstream serve --tier"}  # fmt: skip
    done = subprocess.run([script], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.split() == ["--tier1-mb", "--tier2-mb"]
