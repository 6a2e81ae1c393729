"""The monitoring package's public names, and its place in the dependency graph."""

from __future__ import annotations

import subprocess
import sys

import masterstream.monitoring as monitoring


def test_all_lists_each_public_name_once_and_every_name_resolves() -> None:
    assert len(set(monitoring.__all__)) == len(monitoring.__all__)
    for name in monitoring.__all__:
        value = getattr(monitoring, name)
        if not name.isupper():  # constants have no module of their own
            assert value.__module__.startswith("masterstream.monitoring."), name
    public = {n for n in vars(monitoring) if not n.startswith("_")}
    submodules = {"alerts", "deferred", "endpoint_metrics", "endpoints", "figures", "monitor",
                  "percentiles", "prometheus", "schemas", "snapshot", "source", "stats",
                  "trends"}  # fmt: skip
    assert public - submodules - {"annotations"} == set(monitoring.__all__)


def test_monitoring_imports_neither_the_api_nor_the_cache() -> None:
    code = (
        "import sys, masterstream.monitoring; "
        "print(sorted(m for m in sys.modules if m.startswith(('masterstream.api', "
        "'masterstream.cache', 'masterstream.service'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
