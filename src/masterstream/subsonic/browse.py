"""Subsonic browse methods (being written)."""

from __future__ import annotations

from .call import Method

METHODS: dict[str, Method] = {}
