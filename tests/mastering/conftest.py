"""Fixtures for the mastering tests; the material itself is in :mod:`.material`."""

from __future__ import annotations

import numpy as np
import pytest

from .material import make_track


@pytest.fixture(scope="session")
def music() -> np.ndarray:
    """20 s of stereo 44.1 kHz music-like material (read-only)."""
    return make_track("music")
