"""The Dockerfile and docker-compose.yml, checked structurally (no Docker here): the compose
topology is the one the e2e tests run as processes (three servers, PostgreSQL, Valkey,
nginx with docs/deploy/compose/nginx.conf), and every setting they name is a real option."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from masterstream.config_options import config_options

ROOT = Path(__file__).parents[1]
SERVERS = ("masterstream-a", "masterstream-b", "masterstream-c")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def option_envs() -> set[str]:
    envs = {option.env for option in config_options()}
    return envs | {f"{env}_FILE" for env in envs} | {"NUMBA_CACHE_DIR"}


def test_three_servers_share_one_database_one_valkey_behind_nginx(compose) -> None:
    services = compose["services"]
    assert set(services) == {*SERVERS, "postgres", "valkey", "nginx"}
    ids = set()
    for name in SERVERS:
        server = services[name]
        env = server["environment"]
        assert env["MASTERSTREAM_DATABASE_URL_FILE"] == "/run/secrets/database_url"
        assert env["MASTERSTREAM_REDIS_URL"].startswith("redis://valkey:")
        assert server["build"] == "." and {"postgres", "valkey"} <= set(server["depends_on"])
        mounts = {volume.rsplit(":", 2)[1]: volume for volume in server["volumes"]}
        assert {"/music", "/data", "/cache", "/data/subsonic.key"} <= set(mounts)
        assert mounts["/music"].endswith(":ro") and mounts["/data/subsonic.key"].endswith(":ro")
        ids.add(env["MASTERSTREAM_SERVER_ID"])
    assert len(ids) == 3
    valkey = " ".join(services["valkey"]["command"])
    assert "--maxmemory-policy allkeys-lru" in valkey and "--maxmemory 2gb" in valkey
    for name in ("postgres", "valkey"):
        assert services[name]["healthcheck"]["test"]
    assert all((ROOT / Path(s["file"])).parent.name == "secrets"
               for s in compose["secrets"].values())  # fmt: skip


def test_every_setting_named_is_a_real_option(compose) -> None:
    known = option_envs()
    named = set()
    for name in SERVERS:
        named |= set(compose["services"][name]["environment"])
    named |= set(
        re.findall(r"\b(MASTERSTREAM_[A-Z0-9_]+|NUMBA_[A-Z_]+)=", (ROOT / "Dockerfile").read_text())
    )
    assert named and named <= known, named - known


def test_nginx_balances_the_compose_servers(compose) -> None:
    nginx = compose["services"]["nginx"]
    mounted = nginx["volumes"][0].split(":")[0]
    conf = (ROOT / mounted).read_text()
    upstreams = re.findall(r"server (masterstream-[abc]):8765", conf)
    assert sorted(upstreams) == list(SERVERS)
    assert (
        "auth_request /_masterstream_auth;" in conf and "proxy_cache masterstream_chunks;" in conf
    )
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    trusted = compose["services"][SERVERS[0]]["environment"]["MASTERSTREAM_TRUSTED_PROXIES"]
    address = nginx["networks"]["backend"]["ipv4_address"]
    assert address.rsplit(".", 1)[0] == trusted.split("/")[0].rsplit(".", 1)[0]


def test_the_image_is_slim_non_root_and_checks_readiness() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.MULTILINE)
    user = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert user and user[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/readyz", dockerfile, re.MULTILINE)
    assert 'VOLUME ["/data", "/cache"]' in dockerfile and "EXPOSE 8765" in dockerfile
    assert '"masterstream[postgres]"' in dockerfile
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert any(dep.startswith("psycopg") for dep in extras["postgres"])
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ignored[ignored.index("*") + 1 :][:1] == ["!pyproject.toml"]
