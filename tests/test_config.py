from pathlib import Path

import pytest

from masterstream.config import Settings


def test_environment_is_read_only_by_from_env_and_overrides_win(tmp_path):
    env = {"MASTERSTREAM_DATA_DIR": str(tmp_path), "MASTERSTREAM_PORT": "9000",
           "MASTERSTREAM_TIER1_CAPACITY_BYTES": "5000000", "MASTERSTREAM_RENDER_POOL": "process",
           "MASTERSTREAM_CHUNK_DURATION_S": "5"}  # fmt: skip
    settings = Settings.from_env(env, port=9100)
    assert settings.data_dir == tmp_path and settings.port == 9100
    assert settings.tier1_capacity_bytes == 5_000_000 and settings.render_pool == "process"
    assert settings.chunk_duration_s == 5.0
    assert settings.catalog_path == tmp_path / "catalog.sqlite3"
    assert settings.effective_cache_dir == tmp_path / "cache"
    assert settings.effective_library_dir == tmp_path / "demo-library"


def test_defaults_match_the_documentation():
    settings = Settings(data_dir=Path("/x"))
    assert settings.tier1_capacity_bytes == 12_000_000
    assert settings.tier2_capacity_bytes == 240_000_000
    assert (settings.host, settings.port) == ("127.0.0.1", 8765)
    assert settings.render_pool == "thread" and settings.chunk_duration_s == 10.0


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MASTERSTREAM_PORT": "eighty"}, "MASTERSTREAM_PORT must be an integer"),
        ({"MASTERSTREAM_PORT": "70000"}, "port must be in 1..65535"),
        ({"MASTERSTREAM_RENDER_POOL": "gpu"}, "render_pool must be one of thread, process"),
        ({"MASTERSTREAM_TIER2_CAPACITY_BYTES": "0"}, "tier2_capacity_bytes must be positive"),
        ({"MASTERSTREAM_CHUNK_DURATION_S": "ten"}, "must be a number"),
    ],
)
def test_bad_settings_are_clear_errors(env, message):
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env)
