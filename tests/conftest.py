"""Fixtures shared by the whole suite: real audio files written with soundfile."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from masterstream.library.demo import synthesize_demo_library

DEMO_SCALE = 0.1  # demo tracks shortened to 8–24 s keep the suite fast


def write_tone(
    path: Path, *, duration_s: float = 3.0, sample_rate: int = 44100, channels: int = 2,
    frequency_hz: float = 440.0, amplitude: float = 0.5, fmt: str | None = None,
    subtype: str | None = None,
) -> Path:  # fmt: skip
    """A sine tone file; the right channel is a quarter-period shifted copy."""
    t = np.arange(round(duration_s * sample_rate)) / sample_rate
    left = amplitude * np.sin(2 * np.pi * frequency_hz * t)
    right = amplitude * np.sin(2 * np.pi * frequency_hz * t + np.pi / 2)
    audio = left[:, None] if channels == 1 else np.stack([left, right], axis=1)
    sf.write(path, audio, sample_rate, format=fmt, subtype=subtype)
    return path


@pytest.fixture(scope="session")
def demo_library_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo library, shortened, synthesised once per test session."""
    directory = tmp_path_factory.mktemp("demo-library")
    synthesize_demo_library(directory, duration_scale=DEMO_SCALE)
    return directory


@pytest.fixture(scope="session")
def postgres():
    """One private PostgreSQL for the whole run (started on first use)."""
    from tests.db.postgres_process import PostgresProcess

    server = PostgresProcess().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_target(request, tmp_path) -> str | Path:
    """Where a test's catalog lives, once per engine: a SQLite file, or a fresh database
    on the private PostgreSQL."""
    if request.param == "sqlite":
        return tmp_path / "c.db"
    return request.getfixturevalue("postgres").create_database()
