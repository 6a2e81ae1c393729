"""A user's default loudness mode (track or album): stored on either engine, validated, and
the variant a Subsonic client of that user streams."""

from __future__ import annotations

import pytest

from masterstream.errors import InvalidParameterError
from masterstream.subsonic.listening import listening_of
from masterstream.users.models import UserSettings


def test_the_default_loudness_is_stored_and_validated(store):
    alice = store.accounts.add("alice", "long enough")
    assert store.accounts.settings(alice.id).default_loudness == "track"
    album = store.accounts.settings(alice.id).updated(default_loudness="album")
    store.accounts.put_settings(alice.id, album)
    assert store.accounts.settings(alice.id).default_loudness == "album"
    assert store.accounts.settings(alice.id).to_dict()["default_loudness"] == "album"
    for bad in ("Album", "loud", None):
        with pytest.raises(InvalidParameterError, match="default_loudness"):
            album.updated(default_loudness=bad)


def test_the_user_streams_in_the_default_loudness_mode():
    assert listening_of(UserSettings("warm", 0.5, default_loudness="album")).variant.loudness == (
        "album"
    )
    assert listening_of(UserSettings("warm", 0.5)).variant.loudness == "track"
    # the original has no loudness mode of its own
    assert listening_of(UserSettings("original", default_loudness="album")).variant.loudness == (
        "track"
    )
