"""The :class:`~.entries.EntryContext` of one request: the user's listening defaults and
their stars and play counts (read once per answer, in the handler's thread)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .entries import EntryContext
from .listening import listening_of, user_settings

if TYPE_CHECKING:
    from ..users import UserStore
    from .call import SubsonicCall


class StoredAnnotations:
    """One user's stars and song play counts from the users' tables, read on first use."""

    def __init__(self, store: UserStore, user_id: int) -> None:
        self.store, self.user_id = store, user_id
        self._stars: dict[tuple[str, int], str] | None = None
        self._plays: dict[int, int] | None = None

    def starred_at(self, kind: str, item_id: int) -> str | None:
        if self._stars is None:
            self._stars = self.store.stars.starred_at(self.user_id)
        return self._stars.get((kind, item_id))

    def play_count(self, track_id: int) -> int:
        if self._plays is None:
            counts = self.store.plays.counts(self.user_id, "song")
            self._plays = {item: count.play_count for item, count in counts.items()}
        return self._plays.get(track_id, 0)


def entry_context(call: SubsonicCall) -> EntryContext:
    """The context entries of ``call``'s answer share (blocking: call it in a thread)."""
    store: UserStore = call.request.app.state.auth.store
    engine = call.state.engine
    annotations = None if call.user is None else StoredAnnotations(store, call.user.id)
    return EntryContext(
        listening=listening_of(user_settings(store, call.user)),
        plans=engine.plans,
        library_root=call.state.settings.effective_library_dir,
        annotations=annotations,
    )
