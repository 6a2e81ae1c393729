"""Cold-render budgets at the API edge: chunk and stream routes, and ``/ws`` warming.

Each principal (a user, the admin token, or an anonymous loopback address) may cause
``Settings.render_budget_per_minute`` cold renders a minute (:class:`~masterstream.users.
budget.RenderBudget`). A cache hit is never counted and never refused: a request is
refused (429, ``Retry-After``) only when the budget is used up *and* its chunk is in no
tier. A whole-track stream is checked once, before its response starts, and then counts
its misses without being cut.

WebSocket playback positions steer the warmer, which renders the chunk under the
playhead and the look-ahead. :class:`WarmingBudget` charges the listener's principal for
those chunks that no tier holds (each at most once per listener), and while the budget
is used up it refuses the position (an ``error`` frame) and stops warming for that
listener, so a client cycling presets over ``/ws`` renders no more than its budget.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from ..cache import ChunkKey
from ..service.request import ChunkRequest, PlaybackPosition
from ..users.errors import RenderBudgetError
from .auth import current_principal, get_auth
from .problems import ProblemError

if TYPE_CHECKING:
    from ..service.chunks import ChunkResult, ChunkService
    from ..service.engine import Engine
    from ..users.budget import RenderBudget
    from .auth import Principal

CHARGED_KEYS_PER_LISTENER = 256


def refuse_if_exhausted(
    connection: HTTPConnection, service: ChunkService, request: ChunkRequest
) -> None:
    """429 if the caller's budget is used up and ``request``'s chunk would be rendered."""
    budget = get_auth(connection).budget
    if not budget.enabled:
        return
    wait_s = budget.retry_after_s(current_principal(connection).budget_key)
    if wait_s is not None and service.cached_source(request) == "miss":
        budget.refuse()
        retry_after = str(max(1, math.ceil(wait_s)))
        raise ProblemError(
            429, "render-budget-exhausted", "Render budget used up",
            f"{budget.renders_per_minute} new renders a minute are allowed; cached chunks "
            f"still play, new ones in {retry_after} s", headers={"Retry-After": retry_after},
            retry_after_s=round(wait_s, 3),
        )  # fmt: skip


def charge(connection: HTTPConnection, result: ChunkResult) -> None:
    """Count ``result`` against the caller's budget if it was rendered."""
    budget = get_auth(connection).budget
    if result.source == "miss" and budget.enabled:
        budget.charge(current_principal(connection).budget_key)


class WarmingBudget:
    """Wraps the hub's ``on_position``: playback positions within the listener's budget."""

    def __init__(
        self, budget: RenderBudget, engine: Engine,
        forward: Callable[[PlaybackPosition, str], None],
        principal_of: Callable[[str], Principal | None],
    ) -> None:  # fmt: skip
        self.budget = budget
        self.engine = engine
        self.forward = forward
        self.principal_of = principal_of
        self._charged: dict[str, OrderedDict[ChunkKey, None]] = {}

    def __call__(self, position: PlaybackPosition, listener: str) -> None:
        principal = self.principal_of(listener)
        if not self.budget.enabled or principal is None:
            self.forward(position, listener)
            return
        key = principal.budget_key
        wait_s = self.budget.retry_after_s(key)
        if wait_s is not None:
            self.budget.refuse()
            self.engine.unfollow(listener)
            raise RenderBudgetError(wait_s)
        cold = self._cold_hot_chunks(position, listener)
        self.forward(position, listener)
        self.budget.charge(key, len(cold))

    def _cold_hot_chunks(self, position: PlaybackPosition, listener: str) -> list[ChunkKey]:
        """The chunks the warmer will render for this position that were not charged yet."""
        service = self.engine.chunks
        info = self.engine.cache.track_info(position.track_id)
        first = min(int(position.position_s // service.library.chunk_duration_s),
                    info.chunk_count - 1)  # fmt: skip
        last = min(first + self.engine.warmer.lookahead_chunks, info.chunk_count - 1)
        charged = self._charged.setdefault(listener, OrderedDict())
        cold = []
        for index in range(max(0, first), last + 1):
            request = ChunkRequest(position.track_id, index, position.variant, position.fmt)
            chunk_key = service.key(request)
            if chunk_key in charged or service.cached_source(request) != "miss":
                continue
            charged[chunk_key] = None
            cold.append(chunk_key)
        while len(charged) > CHARGED_KEYS_PER_LISTENER:
            charged.popitem(last=False)
        return cold

    def forget(self, listener: str) -> None:
        self._charged.pop(listener, None)
