"""A real user store, on both engines (a SQLite file; a PostgreSQL database), with cheap
argon2id parameters and a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from masterstream.users import UserStore
from masterstream.users.passwords import FAST_TEST_PARAMETERS
from tests.clock import FakeClock

SESSION_TTL_S = 3600.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_700_000_000.0)


@pytest.fixture
def store(catalog_target: str | Path, tmp_path: Path, clock: FakeClock) -> Iterator[UserStore]:
    with UserStore(catalog_target, key_path=tmp_path / "subsonic.key", hashing=FAST_TEST_PARAMETERS,
                   session_ttl_s=SESSION_TTL_S, clock=clock) as opened:  # fmt: skip
        yield opened
