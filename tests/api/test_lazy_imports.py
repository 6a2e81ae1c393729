"""Start-up imports only what /livez needs (issue 9): the heavy libraries of rendering,
analysis, covers, codecs and Redis load where they are first used."""

import json
import subprocess
import sys

import pytest

# Each costs tenths of seconds of start-up (bench/results/startup*.md) that /livez does not
# need. soundfile, mutagen and argon2 stay at start-up: a few milliseconds each, and the
# scan and the users' store use them at once anyway.
DEFERRED = {
    "scipy.signal": "EQ, limiter and synthesis filters: rendering and analysis only",
    "numba": "compiled DSP kernels: rendering and analysis only (worker processes)",
    "av": "FLAC/Opus stream encoding: the first FLAC or Opus chunk",
    "lameenc": "MP3 encoding: the first MP3 chunk",
    "PIL": "cover thumbnails and demo covers: the first cover request or demo synthesis",
    "redis": "the shared tier: only when a Redis URL is configured",
    "masterstream.library.demo": "the demo synthesiser: only without a library folder",
    "masterstream.mastering.chain": "the DSP chain: the first render",
}


def modules_after_import(module: str) -> set[str]:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


@pytest.mark.parametrize("module", ["masterstream.api.app", "masterstream.cli"])
def test_start_up_does_not_import_the_heavy_libraries(module):
    loaded = modules_after_import(module)
    assert module in loaded
    assert sorted(name for name in DEFERRED if name in loaded) == []


def test_the_check_sees_a_heavy_import():
    """The property above is observable: importing the render path does load them."""
    loaded = modules_after_import("masterstream.mastering.render")
    assert {"scipy.signal", "numba", "soundfile"} <= loaded
