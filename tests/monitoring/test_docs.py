"""docs/cache-api.md: its Python blocks run, in order, in one namespace."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest

import masterstream
import masterstream.monitoring

DOC = Path(__file__).resolve().parents[2] / "docs" / "cache-api.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
ROOT_IMPORT = re.compile(r"^from masterstream import (\([^)]*\)|[^\n]*)", re.MULTILINE)


def doc_blocks() -> list[str]:
    return BLOCK.findall(DOC.read_text())


def root_imports() -> set[str]:
    names: set[str] = set()
    for block in doc_blocks():
        for group in ROOT_IMPORT.findall(block):
            names |= {n.strip() for n in group.strip("()").replace("\n", ",").split(",")}
    return names - {""}


def test_the_doc_imports_only_public_names_the_package_root_exports() -> None:
    names = root_imports()
    assert {"CacheMonitor", "EndpointMetrics", "format_cache_stats"} <= names
    assert names <= set(masterstream.monitoring.__all__)
    missing = sorted(names - set(masterstream.__all__))
    assert not missing, f"masterstream does not re-export {', '.join(missing)}"


def test_the_doc_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    module = types.ModuleType("cache_api_doc")  # pydantic generics look their module up
    monkeypatch.setitem(sys.modules, module.__name__, module)
    for block in doc_blocks():
        exec(compile(block, str(DOC), "exec"), module.__dict__)
    out = capsys.readouterr().out
    assert "masterstream_cache_hits_total" in out
