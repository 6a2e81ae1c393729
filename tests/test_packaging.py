"""The wheel as pip builds it: what it holds, its metadata, and runtime dependencies that
the code really imports."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "masterstream"
pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """A wheel built from a copy of the tree (the checkout stays untouched)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    shutil.copytree(ROOT / "src", source / "src", ignore=ignore)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-q", "-w", str(work / "dist"), str(source)],
        capture_output=True, text=True, timeout=200,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    (path,) = (work / "dist").glob("masterstream-*.whl")
    return zipfile.ZipFile(path)


def metadata(wheel: zipfile.ZipFile):
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return Parser().parsestr(wheel.read(name).decode())


def test_the_wheel_holds_the_web_app_the_typing_marker_and_the_demo_sources(wheel) -> None:
    names = set(wheel.namelist())
    web = {
        "masterstream/" + path.relative_to(PACKAGE).as_posix()
        for path in (PACKAGE / "web").rglob("*") if path.is_file()
    }  # fmt: skip
    assert "masterstream/web/index.html" in web and any(n.endswith(".mjs") for n in web)
    assert web <= names, sorted(web - names)
    assert "masterstream/py.typed" in names
    for demo in ("library/demo.py", "library/demo_covers.py", "library/synth.py"):
        assert f"masterstream/{demo}" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith((".nbi", ".nbc"))]


def test_metadata_carries_the_licence_classifiers_and_urls(wheel) -> None:
    meta = metadata(wheel)
    assert meta["License-Expression"] == "MIT"
    assert "LICENSE" in meta.get_all("License-File")
    classifiers = meta.get_all("Classifier")
    assert "Typing :: Typed" in classifiers
    assert any(c.startswith("Topic :: Multimedia :: Sound/Audio") for c in classifiers)
    assert {url.split(",")[0] for url in meta.get_all("Project-URL")} >= {"Homepage", "Source"}
    runtime = [r for r in meta.get_all("Requires-Dist") if "extra ==" not in r]
    assert not [r for r in runtime if r.lower().startswith("pyloudnorm")]


def imported_top_level_modules() -> set[str]:
    modules: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
            elif _loads_by_name(node):  # find_spec("lameenc"), import_module("x")
                modules.add(node.args[0].value.split(".")[0])
    return modules


def _loads_by_name(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("find_spec", "import_module") and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
    )  # fmt: skip


def test_every_runtime_dependency_is_imported_by_the_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_dist_name(req) for req in project["dependencies"]}
    extras = project["optional-dependencies"]
    optional = {  # runtime extras (postgres …): features a user installs on purpose
        _dist_name(req) for name, reqs in extras.items() if name not in ("dev", "bench")
        for req in reqs
    }  # fmt: skip
    dev = {_dist_name(req) for req in extras["dev"]}
    by_module = packages_distributions()
    used = {
        _dist_name(dist) for module in imported_top_level_modules()
        for dist in by_module.get(module, ())
    }  # fmt: skip
    assert runtime - used == set(), "declared for runtime but never imported"
    assert not (dev - runtime - optional) & used, "imported by the package, only in dev"


def _dist_name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")
