"""The compose file's nginx (docs/deploy/compose/nginx.conf) as a process on loopback, in
front of servers started by the tests: the upstream host names become their addresses."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from tests.cache.redis_process import free_port

COMPOSE_CONF = Path(__file__).parents[2] / "docs" / "deploy" / "compose" / "nginx.conf"
MAIN = """
{user}
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    include {root}/site.conf;
}}
"""


class NginxProcess:
    """nginx with the compose site, upstreams ``addresses`` (host:port) in compose order."""

    def __init__(self, root: Path, addresses: list[str]) -> None:
        if shutil.which("nginx") is None:
            pytest.skip("nginx is not installed (apt-get install -y nginx)")
        self.root, self.port = root, free_port()
        root.mkdir(parents=True, exist_ok=True)
        site = COMPOSE_CONF.read_text()
        for name, address in zip("abc", addresses, strict=True):
            site = site.replace(f"masterstream-{name}:8765", address)
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        site = re.sub(r"/var/cache/nginx/masterstream", str(root / "cache"), site)
        (root / "site.conf").write_text(site)
        user = "user root;" if os.geteuid() == 0 else ""
        (root / "nginx.conf").write_text(MAIN.format(root=root, user=user))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> NginxProcess:
        log = (self.root / "stderr.log").open("ab")
        self.proc = subprocess.Popen(
            ["nginx", "-c", str(self.root / "nginx.conf"), "-p", str(self.root)],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError((self.root / "stderr.log").read_text())
            try:
                httpx.get(self.base_url + "/livez", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
