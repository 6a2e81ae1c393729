"""Where ``masterstream serve`` keeps its disk cache when none is configured: the user cache
directory, or an older install's ``<data dir>/cache``, which is kept (and said so, once)."""

from __future__ import annotations

import httpx
import pytest

from tests.cli.conftest import Cli
from tests.conftest import write_tone
from tests.e2e.server_process import ServerProcess

OLDER_INSTALL_NOTE = "using the disk cache at"


def serve_and_fetch(cli: Cli, music) -> str:
    """Serve with default data and cache directories, fetch one chunk, stop; the log."""
    env = {**cli.env, "MASTERSTREAM_CHUNK_DURATION_S": "1.0"}
    server = ServerProcess(cli.home, "--library", str(music), env=env).start()
    try:
        url = f"{server.base_url}/api/tracks/1/chunks/0?preset=warm"
        response = httpx.get(url, timeout=60)
        assert response.status_code == 200, response.text
    finally:
        server.stop()
    return server.log()


@pytest.fixture
def music(tmp_path):
    (tmp_path / "music").mkdir()
    write_tone(tmp_path / "music" / "tone.wav", duration_s=2.0)
    return tmp_path / "music"


def test_a_new_install_caches_in_the_user_cache_directory(cli, music):
    log = serve_and_fetch(cli, music)
    new = cli.home / "cache" / "masterstream" / "cache"
    assert any(p.is_file() for p in new.rglob("*")), log
    assert not (cli.home / "data" / "masterstream" / "cache").exists()
    assert OLDER_INSTALL_NOTE not in log


def test_an_older_installs_cache_in_the_data_dir_is_kept_and_said_once(cli, music):
    older = cli.home / "data" / "masterstream" / "cache"
    older.mkdir(parents=True)
    log = serve_and_fetch(cli, music)
    assert any(p.is_file() for p in older.rglob("*")), log
    assert not (cli.home / "cache" / "masterstream" / "cache").exists()
    notes = [line for line in log.splitlines() if OLDER_INSTALL_NOTE in line]
    assert len(notes) == 1 and " INFO " in notes[0], log
    assert f"{older}, an older install's place" in notes[0]
    assert str(cli.home / "cache" / "masterstream" / "cache") in notes[0]  # where to move it
