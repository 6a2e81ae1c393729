"""``masterstream warm`` and ``masterstream stats`` against a real ``masterstream serve``,
the admin token read from a secret file on both sides (never on a command line)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import Cli
from tests.conftest import write_tone
from tests.e2e.server_process import ServerProcess, free_port

TOKEN = "remote-test-admin-token"
CHUNK_S = 1.0


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("remote")
    (root / "music").mkdir()
    write_tone(root / "music" / "tone.wav", duration_s=4.5)
    token = root / "token"
    token.write_text(TOKEN + "\n")
    token.chmod(0o600)
    cli = Cli(root)
    server = ServerProcess(
        root, "--library", str(root / "music"), "--data-dir", str(root / "data"),
        "--cache-dir", str(root / "cache"), "--admin-token-file", str(token),
        env={**cli.env, "MASTERSTREAM_CHUNK_DURATION_S": str(CHUNK_S),
             "MASTERSTREAM_RENDER_WORKERS": "2"},
    ).start()  # fmt: skip
    client = root / "client.toml"
    client.write_text(f'server_url = "{server.base_url}"\nadmin_token_file = "{token}"\n')
    yield cli, server, client
    server.stop()


def test_the_token_is_not_on_the_servers_command_line(setup):
    _, server, _ = setup
    assert server.proc is not None
    cmdline = Path(f"/proc/{server.proc.pid}/cmdline").read_bytes()
    assert b"--admin-token-file" in cmdline and TOKEN.encode() not in cmdline


def test_warm_fills_the_disk_tier_and_stats_shows_it(setup):
    cli, _, client = setup
    before = json.loads(cli("--config", str(client), "stats", "--json").stdout)
    answer = json.loads(cli("--config", str(client), "warm", "1", "--preset", "warm",
                            "--intensity", "0.7", "--json").stdout)  # fmt: skip
    assert answer["status"] == "accepted" and answer["track_id"] == 1
    assert (answer["preset"], answer["intensity"], answer["format"]) == ("warm", 0.7, "wav")
    assert answer["total_chunks"] == 5  # 4.5 s in 1 s chunks
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        stats = json.loads(cli("--config", str(client), "stats", "--json").stdout)
        if stats["tier2"]["chunks"] >= before["tier2"]["chunks"] + 5:
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"warming did not fill tier2: {stats}")
    table = cli("--config", str(client), "stats").stdout
    assert "tier2" in table and "overall" in table
    again = cli("--config", str(client), "warm", "1", "--preset", "warm", "--intensity", "0.7")
    assert again.stdout.startswith(("accepted: track 1", "already_running: track 1"))


@pytest.mark.parametrize(("preset", "fmt", "total"), [("bright", "wav", 5), ("punchy", "mp3", 5)])
def test_warm_wait_returns_once_the_whole_track_is_cached(setup, preset, fmt, total):
    cli, server, client = setup
    answer = json.loads(cli("--config", str(client), "warm", "1", "--preset", preset,
                            "--format", fmt, "--wait", "--json").stdout)  # fmt: skip
    assert answer["cached"]["fully_cached"] and answer["cached"]["cached_processed"] == total
    params = {"preset": preset, "format": fmt}
    status = httpx.get(f"{server.base_url}/api/cache/tracks/1", params=params, timeout=10).json()
    assert status["fully_cached"] and status["cached_processed"] == total


def test_a_wrong_token_and_no_server_are_one_line_errors(setup):
    cli, server, client = setup
    refused = cli("--config", str(client), "warm", "1", "--token", "wrong", check=False)
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        f"error: POST {server.base_url}/api/cache/warm: 403 the admin token is not valid"
    ]
    nobody = f"http://127.0.0.1:{free_port()}"
    gone = cli("stats", "--server", nobody, check=False, env={"COLUMNS": "40"})
    assert gone.returncode == 1 and len(gone.stderr.splitlines()) == 1
    assert gone.stderr.startswith(f"error: cannot reach the server at {nobody}/api/cache/stats")
    missing = cli("--config", str(client), "warm", "999", check=False)
    assert missing.returncode == 1 and "404" in missing.stderr
