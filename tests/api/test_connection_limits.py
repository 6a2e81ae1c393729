"""connection_limits pieces that need no server: the descriptor limit and the options."""

from __future__ import annotations

import subprocess
import sys

import pytest

from masterstream.api.connection_limits import ConnectionLimits, guarded_protocol
from masterstream.config import Settings

RAISE = """
import resource
from masterstream.api.connection_limits import raise_open_files_limit
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
print(raise_open_files_limit() == resource.getrlimit(resource.RLIMIT_NOFILE), hard,
      resource.getrlimit(resource.RLIMIT_NOFILE)[0])
"""


def test_the_soft_open_files_limit_is_raised_to_the_hard_one() -> None:
    done = subprocess.run([sys.executable, "-c", RAISE], capture_output=True, text=True,
                          check=True)  # fmt: skip
    consistent, hard, soft = done.stdout.split()
    if int(hard) <= 256:
        pytest.skip(f"the hard limit here is {hard}: nothing to raise")
    assert consistent == "True" and soft == hard


def test_options_carry_the_protocol_and_a_cap_one_above_the_connection_cap() -> None:
    options = ConnectionLimits(header_timeout_s=5.0, max_connections=10).uvicorn_options()
    assert options["limit_concurrency"] == 11
    assert options["h11_max_incomplete_event_size"] == 65_536
    assert options["http"].__name__ == "GuardedProtocol"
    assert options["http"] is not guarded_protocol(ConnectionLimits()), "one class per server"


@pytest.mark.parametrize("field", ["header_timeout_s", "max_connections", "max_header_bytes"])
def test_limits_must_be_positive(field: str) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        ConnectionLimits(**{field: 0})


@pytest.mark.parametrize("field", ["disk_probe_interval_s", "header_timeout_s", "max_connections"])
def test_settings_refuse_a_non_positive_limit(field: str) -> None:
    with pytest.raises(ValueError, match=f"{field} must be positive"):
        Settings(**{field: 0})
