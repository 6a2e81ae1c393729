"""Accounts in a real SQLite file: add, authenticate, roles, removal, settings."""

from __future__ import annotations

import pytest

from masterstream.errors import InvalidParameterError, UnknownPresetError
from masterstream.library.catalog import Catalog
from masterstream.users import (
    InvalidUserError,
    LastAdminError,
    Role,
    UserExistsError,
    UserNotFoundError,
    UserSettings,
    UserStore,
)
from masterstream.users.passwords import FAST_TEST_PARAMETERS


def test_a_user_signs_in_with_the_right_password_only(store):
    assert not store.accounts.exist()
    alice = store.accounts.add("alice", "correct horse", Role.ADMIN)
    assert store.accounts.exist() and alice.is_admin
    assert store.accounts.authenticate("alice", "correct horse") == alice
    assert store.accounts.authenticate("ALICE", "correct horse") == alice  # names ignore case
    assert store.accounts.authenticate("alice", "correct horsE") is None
    assert store.accounts.authenticate("bob", "correct horse") is None


def test_the_password_is_stored_as_an_argon2id_hash_only(store):
    store.accounts.add("alice", "correct horse")
    (stored,) = store.db.query("SELECT password_hash FROM users")[0]
    assert stored.startswith("$argon2id$") and "correct horse" not in stored


@pytest.mark.parametrize("name", ["", "a b", "-lead", "x" * 65, "ünï", "a/b"])
def test_bad_names_are_refused(store, name):
    with pytest.raises(InvalidUserError):
        store.accounts.add(name, "long enough")


def test_short_passwords_and_duplicate_names_are_refused(store):
    with pytest.raises(InvalidUserError, match="at least 8"):
        store.accounts.add("alice", "short")
    store.accounts.add("alice", "long enough")
    with pytest.raises(UserExistsError):
        store.accounts.add("Alice", "long enough")


def test_the_last_admin_stays(store):
    store.accounts.add("root", "long enough", Role.ADMIN)
    store.accounts.add("bob", "long enough")
    with pytest.raises(LastAdminError):
        store.accounts.set_role("root", Role.USER)
    with pytest.raises(LastAdminError):
        store.accounts.remove("root")
    store.accounts.set_role("bob", Role.ADMIN)
    store.accounts.remove("root")
    assert [u.name for u in store.accounts.list()] == ["bob"]
    store.accounts.remove("bob")  # the last user may go: back to loopback-only mode
    assert not store.accounts.exist()
    with pytest.raises(UserNotFoundError):
        store.accounts.remove("bob")


def test_a_new_password_signs_the_user_out_everywhere(store):
    alice = store.accounts.add("alice", "first password")
    session = store.sessions.create(alice)
    store.accounts.set_password("alice", "second password")
    assert store.sessions.user(session.secret) is None
    assert store.accounts.authenticate("alice", "first password") is None
    assert store.accounts.authenticate("alice", "second password") == alice


def test_first_admin_only_while_there_is_no_user(store):
    first = store.accounts.add_first_admin("root", "long enough")
    assert first is not None and first.role is Role.ADMIN
    assert store.accounts.add_first_admin("other", "long enough") is None
    assert [u.name for u in store.accounts.list()] == ["root"]


def test_settings_round_trip_and_are_validated(store):
    alice = store.accounts.add("alice", "long enough")
    assert store.accounts.settings(alice.id) == UserSettings()
    chosen = UserSettings("warm", 0.5, "flac", None)
    store.accounts.put_settings(alice.id, chosen)
    assert store.accounts.settings(alice.id) == chosen
    with pytest.raises(UnknownPresetError):
        chosen.updated(default_preset="loud")
    with pytest.raises(InvalidParameterError):
        chosen.updated(default_format="ogg")
    with pytest.raises(InvalidParameterError):
        chosen.updated(default_bitrate_kbps=100)
    with pytest.raises(InvalidParameterError):
        chosen.updated(password="x")
    assert chosen.updated(default_format="mp3", default_bitrate_kbps=192).default_format == "mp3"


def test_users_live_beside_the_catalog_in_one_database(catalog_target, tmp_path):
    path, key = catalog_target, tmp_path / "subsonic.key"
    with UserStore(path, key_path=key, hashing=FAST_TEST_PARAMETERS) as users:  # no catalog yet
        users.accounts.add("alice", "long enough")
    with Catalog(path) as catalog:
        assert catalog.count_tracks() == 0
    with UserStore(path, key_path=key, hashing=FAST_TEST_PARAMETERS) as users:
        assert [u.name for u in users.accounts.list()] == ["alice"]
