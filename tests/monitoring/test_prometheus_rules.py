"""docs/prometheus/alerts.yml and docs/grafana/masterstream.json: promtool accepts and
unit-tests the rules, and every metric and label they query exists on a live /metrics."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.cache.redis_process import RedisProcess

from .live_app import first_track_id, tone_app_client

DOCS = Path(__file__).resolve().parents[2] / "docs"
RULES = DOCS / "prometheus" / "alerts.yml"
RULE_TESTS = DOCS / "prometheus" / "alerts_test.yml"
DASHBOARD = DOCS / "grafana" / "masterstream.json"
PROMTOOL = shutil.which("promtool")
METRIC = re.compile(r"\b((?:masterstream|process|python)_[a-z0-9_]+)")
BY = re.compile(r"\bby \(([^)]*)\)")
MATCHER = re.compile(r"([a-z_]+)\s*=~?\s*\"")
ADDED_BY_PROMETHEUS = {"instance", "job"}
# the in-process monitor's rules (monitoring/monitor.py, alerts.py) and what they became
MIRRORED = {"tier1_size/tier2_size": "MasterstreamTierOverCapacity",
            "overall_hit_rate critical": "MasterstreamHitRateCritical",
            "overall_hit_rate warning": "MasterstreamHitRateLow",
            "tierN_degraded": "MasterstreamTierDegraded"}  # fmt: skip


def rules() -> list[dict]:
    return [
        rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]
    ]


def dashboard_exprs() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel.get("targets", ())]


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    if PROMTOOL is None:
        pytest.skip("promtool is not installed (apt-get install -y prometheus)")
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, timeout=60)


def test_promtool_checks_the_rules() -> None:
    result = promtool("check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(rules())} rules found" in result.stdout


def test_promtool_unit_tests_pass() -> None:
    result = promtool("test", "rules", str(RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_rules_mirror_the_monitor_and_say_what_to_do() -> None:
    by_name = {rule["alert"]: rule for rule in rules()}
    assert set(MIRRORED.values()) <= set(by_name)
    assert {"MasterstreamSharedTierDown", "MasterstreamRenderErrors"} <= set(by_name)
    for rule in by_name.values():
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
    hit_rate = by_name["MasterstreamHitRateLow"]["expr"]
    assert "< 0.70" in hit_rate and ">= 100" in hit_rate  # monitor defaults: 0.70, 100 requests


@pytest.fixture
async def exposition(tmp_path) -> AsyncIterator[str]:
    """/metrics of a server with a shared tier after one miss and one hit."""
    redis = RedisProcess(tmp_path).start()
    try:
        async for client in tone_app_client(tmp_path, redis_url=redis.url):
            track_id = await first_track_id(client)
            for _ in range(2):
                assert (await client.get(f"/api/tracks/{track_id}/chunks/0")).status_code == 200
            yield (await client.get("/metrics")).text
    finally:
        redis.stop()


def test_every_query_names_metrics_and_labels_that_exist(exposition: str) -> None:
    labels_of: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            labels_of.setdefault(sample.name, set()).update(sample.labels)
    queries = [rule["expr"] for rule in rules()] + dashboard_exprs()
    assert len(queries) > 25
    for query in queries:
        names = METRIC.findall(query)
        if query.startswith("up{"):  # Prometheus' own series for the scrape
            continue
        assert names, query
        missing = [name for name in names if name not in labels_of]
        assert not missing, f"{missing} not exposed; used in {query}"
        available = set().union(*(labels_of[name] for name in names)) | ADDED_BY_PROMETHEUS
        used = {label.strip() for group in BY.findall(query) for label in group.split(",")}
        used |= set(MATCHER.findall(query))
        assert used <= available, f"labels {used - available} not on {names}"
