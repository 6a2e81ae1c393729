"""docs/deploy: the systemd unit passes ``systemd-analyze verify`` and names real settings;
the nginx example passes ``nginx -t`` and, in front of a running server, caches versioned
chunks for signed-in listeners only and upgrades /ws."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.server_process import MASTERSTREAM, free_port, tone_library_server

DEPLOY = Path(__file__).resolve().parents[1] / "docs" / "deploy"
UNIT = DEPLOY / "systemd" / "masterstream.service"
NGINX_SITE = DEPLOY / "nginx" / "masterstream.conf"
TOKEN = "deploy-example-admin-token"
pytestmark = pytest.mark.timeout(180)


def tool(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def test_the_systemd_unit_verifies_and_names_real_settings(tmp_path: Path) -> None:
    text = UNIT.read_text()
    unit = tmp_path / "masterstream.service"
    unit.write_text(text.replace("/opt/masterstream/bin/masterstream", str(MASTERSTREAM))
                    .replace("ReadOnlyPaths=/srv/music", f"ReadOnlyPaths={tmp_path}"))  # fmt: skip
    result = subprocess.run([tool("systemd-analyze"), "verify", str(unit)],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    config = tmp_path / "masterstream.toml"
    subprocess.run([str(MASTERSTREAM), "config", "init", "--path", str(config)], check=True,
                   capture_output=True, timeout=60)  # fmt: skip
    (exec_start,) = re.findall(r"^ExecStart=(.*)$", unit.read_text(), re.MULTILINE)
    argv = exec_start.replace("/etc/masterstream/masterstream.toml", str(config)).split()
    parsed = subprocess.run([*argv, "--help"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "COLUMNS": "400"})  # fmt: skip
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    for name in set(re.findall(r"MASTERSTREAM_[A-Z0-9_]+", text)):
        assert name in parsed.stdout, f"{name} is no setting of masterstream serve"


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory):
    """masterstream behind the example nginx config (self-signed TLS on free ports)."""
    nginx = tool("nginx")
    root = tmp_path_factory.mktemp("deploy")
    server = tone_library_server(
        root,
        {"MASTERSTREAM_RENDER_WORKERS": "1", "MASTERSTREAM_ADMIN_TOKEN": TOKEN,
         "MASTERSTREAM_TRUSTED_PROXIES": "127.0.0.1",
         "MASTERSTREAM_ALLOWED_HOSTS": "music.example.org"},
    )  # fmt: skip
    https_port, http_port = free_port(), free_port()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"),
                    "-subj", "/CN=music.example.org"], check=True, capture_output=True)  # fmt: skip
    certificates = "/etc/letsencrypt/live/music.example.org"
    site = (NGINX_SITE.read_text()
            .replace(f"{certificates}/fullchain.pem", str(root / "cert.pem"))
            .replace(f"{certificates}/privkey.pem", str(root / "key.pem"))
            .replace("/var/cache/nginx/masterstream", str(root / "nginx-cache"))
            .replace("127.0.0.1:8765", f"127.0.0.1:{server.port}")
            .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
            .replace("listen [::]:443 ssl http2;", "")
            .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
            .replace("listen [::]:80;", ""))  # fmt: skip
    (root / "site.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    (root / "nginx.conf").write_text(
        f"{user}daemon off;\npid {root}/nginx.pid;\nerror_log {root}/nginx-error.log;\n"
        f"events {{}}\nhttp {{\n access_log off;\n include {root}/site.conf;\n}}\n"
    )
    checked = subprocess.run([nginx, "-t", "-c", str(root / "nginx.conf"), "-p", str(root)],
                             capture_output=True, text=True)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen([nginx, "-c", str(root / "nginx.conf"), "-p", str(root)])
    base = f"https://127.0.0.1:{https_port}"
    client = httpx.Client(base_url=base, verify=False, headers={"Host": "music.example.org"})
    try:
        for _ in range(100):
            try:
                client.get("/livez")
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield client
    finally:
        client.close()
        proc.terminate()
        proc.wait(10)
        server.stop()


def test_versioned_chunks_are_cached_by_nginx_for_listeners_only(proxied: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    track = proxied.get("/api/tracks", headers=auth).json()["items"][0]
    url = f"/api/tracks/{track['id']}/chunks/0"
    first = proxied.get(url, params={"v": track["version"]}, headers=auth)
    second = proxied.get(url, params={"v": track["version"]}, headers=auth)
    assert first.status_code == second.status_code == 200
    assert (first.headers["x-proxy-cache"], second.headers["x-proxy-cache"]) == ("MISS", "HIT")
    assert first.content == second.content and first.content[:4] == b"RIFF"
    unversioned = [proxied.get(url, headers=auth).headers["x-proxy-cache"] for _ in range(2)]
    assert "HIT" not in unversioned  # "no-cache" answers are never kept
    user = {"name": "listener", "password": "a long enough password"}
    assert proxied.post("/api/users", json=user, headers=auth).status_code == 201
    anonymous = proxied.get(url, params={"v": track["version"]})  # cached, but not for them
    assert anonymous.status_code in (401, 403) and anonymous.content != first.content


def test_the_proxy_passes_host_and_upgrades_websockets(proxied: httpx.Client) -> None:
    assert proxied.get("/livez").status_code == 200
    assert proxied.get("/metrics").status_code == 404  # kept off the internet
    upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
               "Authorization": f"Bearer {TOKEN}"}  # fmt: skip
    with (
        httpx.Client(base_url=str(proxied.base_url), verify=False,
                     headers={"Host": "music.example.org"}) as client,
        client.stream("GET", "/ws", headers=upgrade) as response,
    ):  # fmt: skip
        assert response.status_code == 101
        assert response.headers["upgrade"].lower() == "websocket"
