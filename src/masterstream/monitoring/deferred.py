"""Calls deferred off the hot path and made in batches: before a reader needs their effect,
or once :data:`SETTLE_EVERY` have piled up (so memory stays bounded).

A server records every chunk it serves in two places (:class:`~.EndpointMetrics` and the
HTTP request metrics); each record touches a dozen counters and histograms. Deferred, a
request costs one list append, and the records are made later in a batch, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SETTLE_EVERY = 256


class DeferredCalls:
    """``call(*args)`` for every ``args`` added, made by :meth:`settle` (or when full)."""

    def __init__(self, call: Callable[..., Any], every: int = SETTLE_EVERY) -> None:
        self._call = call
        self._every = every
        self._pending: list[tuple[Any, ...]] = []

    def add(self, *args: Any) -> None:
        pending = self._pending
        pending.append(args)
        if len(pending) >= self._every:
            self.settle()

    def settle(self) -> None:
        """Make every deferred call, in the order they were added."""
        pending, self._pending = self._pending, []
        for args in pending:
            self._call(*args)
