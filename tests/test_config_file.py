"""The configuration file, the environment and the command line, layered, with origins."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from masterstream.config import Settings, default_data_dir
from masterstream.config_options import config_options, mask
from masterstream.config_sources import load_settings
from masterstream.errors import ConfigError


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    """Private XDG directories, so the user's own config and cache are never read."""
    for name in ("CONFIG", "DATA", "CACHE"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(tmp_path / name.lower()))
    return tmp_path


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def load(config: Path | None = None, env: dict[str, str] | None = None, **cli: object):
    return load_settings(config_path=config, environ=env or {}, cli=cli)


def test_every_settings_field_is_an_option_with_help():
    options = config_options()
    assert [o.field for o in options] == list(Settings.__dataclass_fields__)
    assert all(o.help for o in options), [o.key for o in options if not o.help]
    keys = {o.key: o for o in options}
    assert keys["tier1_mb"].field == "tier1_capacity_bytes" and keys["tier1_mb"].scale == 1_000_000
    assert keys["admin_token"].secret and keys["redis_url"].secret and not keys["port"].secret


@pytest.mark.parametrize(
    ("file", "env", "cli", "port", "origin"),
    [
        (None, None, None, 8765, "default"),
        ("port = 9001", None, None, 9001, "file"),
        ("port = 9001", "9002", None, 9002, "env MASTERSTREAM_PORT"),
        ("port = 9001", None, 9003, 9003, "cli"),
        (None, "9002", 9003, 9003, "cli"),
        ("port = 9001", "9002", 9003, 9003, "cli"),
    ],
)
def test_precedence_cli_over_env_over_file_over_default(dirs, file, env, cli, port, origin):
    config = write(dirs / "m.toml", file) if file else None
    loaded = load(config, {"MASTERSTREAM_PORT": env} if env else {}, port=cli)
    assert loaded.settings.port == port
    expected = f"file {config}" if origin == "file" else origin
    assert loaded.origins["port"] == expected
    assert loaded.origins["host"] == "default"


def test_the_default_file_is_read_when_it_exists_and_an_env_named_file_wins(dirs):
    default = dirs / "config" / "masterstream" / "masterstream.toml"
    default.parent.mkdir(parents=True)
    write(default, 'host = "0.0.0.0"\ntier2_mb = 500\n')
    loaded = load()
    assert loaded.config_path == default and loaded.settings.host == "0.0.0.0"
    assert loaded.settings.tier2_capacity_bytes == 500_000_000
    other = write(dirs / "other.toml", "tier2_mb = 7.5\n")
    loaded = load(env={"MASTERSTREAM_CONFIG": str(other)})
    assert loaded.config_path == other and loaded.settings.tier2_capacity_bytes == 7_500_000
    assert loaded.settings.host == "127.0.0.1"


def test_a_missing_named_file_is_an_error_and_a_missing_default_is_not(dirs):
    assert load().config_path is None
    with pytest.raises(ConfigError, match=r"config file .*nope\.toml does not exist"):
        load(dirs / "nope.toml")


def test_capacities_are_mb_everywhere_and_the_old_byte_variables_still_work(dirs):
    config = write(dirs / "m.toml", "tier1_mb = 3\n")
    assert load(config).settings.tier1_capacity_bytes == 3_000_000
    loaded = load(config, {"MASTERSTREAM_TIER1_MB": "4.5"})
    assert loaded.settings.tier1_capacity_bytes == 4_500_000
    old = load(config, {"MASTERSTREAM_TIER1_CAPACITY_BYTES": "5000000"})
    assert old.settings.tier1_capacity_bytes == 5_000_000
    assert old.origins["tier1_capacity_bytes"] == "env MASTERSTREAM_TIER1_CAPACITY_BYTES"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'host = "x"\nprot = 80\n',
            r"m\.toml line 2: unknown key 'prot' \(did you mean 'port'\?\)",
        ),
        ('\n\nport = "eighty"\n', r"m\.toml line 3: port must be an integer, got 'eighty'"),
        ("tier2_mb = true\n", r"line 1: tier2_mb must be a number, got True"),
        ('allowed_hosts = "a.example"\n', r"line 1: allowed_hosts must be a list of strings"),
        ("watch_library = 1\n", r"line 1: watch_library must be true or false"),
        ("port = 70000\n", r"port must be in 1\.\.65535.*\(port from file .*m\.toml\)"),
        (
            "tier1_mb = 0\n",
            r"tier1_capacity_bytes must be positive.*\(tier1_mb from file .*m\.toml",
        ),
        ("port = \n", r"m\.toml: .*line 1"),
        ("port = 1\n[server]\nport = 1\n", r"line 2: unknown table \[server\]"),
    ],
)
def test_bad_files_name_the_key_the_file_and_the_line(dirs, text, message):
    with pytest.raises(ConfigError, match=message):
        load(write(dirs / "m.toml", text))


def test_a_secret_comes_from_a_file_stripped_and_masked(dirs, caplog):
    token = write(dirs / "token", "  s3cret-token \n")
    config = write(dirs / "m.toml", f'admin_token_file = "{token}"\n')
    loaded = load(config)
    assert loaded.settings.admin_token == "s3cret-token" and not loaded.notes
    assert loaded.origins["admin_token"] == f"file {config} (admin_token_file)"
    by_env = load(config, {"MASTERSTREAM_ADMIN_TOKEN": "from-env"})
    assert by_env.settings.admin_token == "from-env"  # env above file, whatever the form
    other = write(dirs / "other", "other-token")
    by_cli = load(config, {"MASTERSTREAM_ADMIN_TOKEN": "from-env"}, admin_token_file=other)
    assert by_cli.settings.admin_token == "other-token" and by_cli.origins["admin_token"] == "cli"
    option = {o.key: o for o in config_options()}["admin_token"]
    assert mask(option, loaded.settings.admin_token) == "****"


def test_a_secret_file_others_can_read_is_used_with_a_warning(dirs):
    token = write(dirs / "token", "t0ken\n", mode=0o644)
    loaded = load(env={"MASTERSTREAM_ADMIN_TOKEN_FILE": str(token)})
    assert loaded.settings.admin_token == "t0ken"
    assert loaded.notes == (
        (logging.WARNING, f"secret file {token} can be read by other users (mode 644): "
                          f"chmod 600 {token}"),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"MASTERSTREAM_ADMIN_TOKEN": "a", "MASTERSTREAM_ADMIN_TOKEN_FILE": "{t}"}, "not both"),
        ({"MASTERSTREAM_ADMIN_TOKEN_FILE": "{d}/missing"}, "cannot read secret file"),
        ({"MASTERSTREAM_ADMIN_TOKEN_FILE": "{e}"}, "is empty"),
    ],
)
def test_secret_file_mistakes_are_clear_errors(dirs, setup, message):
    paths = {"t": write(dirs / "t", "x"), "e": write(dirs / "e", " \n"), "d": dirs}
    env = {k: v.format(**paths) for k, v in setup.items()}
    with pytest.raises(ConfigError, match=message):
        load(env=env)


def test_a_wrong_secret_is_named_but_never_shown(dirs):
    url = write(dirs / "redis", "http://:hunter2@db.example/0\n")
    with pytest.raises(ConfigError) as caught:
        load(env={"MASTERSTREAM_REDIS_URL_FILE": str(url)})
    message = str(caught.value)
    assert message.startswith("redis_url must start with redis:// or rediss:// or unix://")
    assert "hunter2" not in message and "env MASTERSTREAM_REDIS_URL_FILE" in message


def test_a_redis_url_file_and_its_password_masked(dirs):
    url = write(dirs / "redis", "redis://:hunter2@db.example:6379/0\n")
    loaded = load(write(dirs / "m.toml", f'redis_url_file = "{url}"\n'))
    assert loaded.settings.redis_url == "redis://:hunter2@db.example:6379/0"
    option = {o.key: o for o in config_options()}["redis_url"]
    assert mask(option, loaded.settings.redis_url) == "redis://:****@db.example:6379/0"
    assert mask(option, "redis://db.example:6379/0") == "redis://db.example:6379/0"


def test_the_disk_cache_leaves_the_data_dir_but_an_older_cache_is_kept(dirs):
    fresh = load()
    assert fresh.settings.data_dir == default_data_dir() == dirs / "data" / "masterstream"
    assert fresh.settings.cache_dir == dirs / "cache" / "masterstream" / "cache"
    assert not fresh.notes
    older = default_data_dir() / "cache"
    older.mkdir(parents=True)
    kept = load()
    assert kept.settings.cache_dir == older and kept.settings.effective_cache_dir == older
    assert kept.origins["cache_dir"] == "default (an older install's cache, kept)"
    [(level, message)] = kept.notes
    assert level == logging.INFO and str(older) in message
    assert str(dirs / "cache" / "masterstream" / "cache") in message  # where to move it
    explicit = load(data_dir=dirs / "elsewhere")  # its own cache: servers never share one
    assert explicit.settings.cache_dir == dirs / "elsewhere" / "cache" and not explicit.notes
    assert load(cache_dir=dirs / "c").settings.cache_dir == dirs / "c"


def test_from_env_reads_no_file(dirs):
    default = dirs / "config" / "masterstream" / "masterstream.toml"
    default.parent.mkdir(parents=True)
    write(default, "port = 9001\n")
    assert Settings.from_env({}).port == 8765
    assert os.environ["XDG_CONFIG_HOME"] == str(dirs / "config")


def test_the_configuration_document_lists_every_option():
    doc = (Path(__file__).parents[1] / "docs" / "configuration.md").read_text()
    rows = {line.split("|")[1].strip() for line in doc.splitlines() if line.startswith("| `")}
    for option in config_options():
        key = f"`{option.key}`" + (f", `{option.key}_file`" if option.secret else "")
        assert key in rows, f"docs/configuration.md has no row for {option.key}"
        assert f"`{option.env}`" in doc
