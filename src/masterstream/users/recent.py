"""Answers the users' tables gave a moment ago, so a request does not query them again.

Every chunk request carries a credential, and the hit path is a few hundred microseconds:
a lookup answered in the last ``ttl_s`` seconds is reused. Any write through this
process's :class:`~.database.UserDatabase` (sign-out, a revoked key, a removed user, a new
password) bumps its generation and drops every remembered answer at once; a write by
another process (the CLI) is seen within ``ttl_s``.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
_MISSING = object()


class RecentAnswers(Generic[T]):
    """A bounded map of recent answers, valid for ``ttl_s`` and one database generation."""

    def __init__(
        self, generation: Callable[[], int], *, ttl_s: float = 2.0, max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self.generation = generation
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.clock = clock
        self._answers: OrderedDict[object, tuple[int, float, T]] = OrderedDict()

    def get(self, key: object, compute: Callable[[], T]) -> T:
        """The remembered answer for ``key``, or ``compute()`` remembered now."""
        now_s, generation = self.clock(), self.generation()
        found = self._answers.get(key, _MISSING)
        if found is not _MISSING:
            seen_generation, seen_s, answer = found  # type: ignore[misc]
            if seen_generation == generation and now_s - seen_s < self.ttl_s:
                return answer
        answer = compute()  # a write meanwhile leaves this answer stale: next call asks again
        self._answers[key] = (generation, now_s, answer)
        self._answers.move_to_end(key)
        while len(self._answers) > self.max_entries:
            self._answers.popitem(last=False)
        return answer
