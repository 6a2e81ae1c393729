"""Sessions expire and end on sign-out; API keys are shown once and revocable."""

from __future__ import annotations

import sqlite3

from masterstream.users import Role
from tests.users.conftest import SESSION_TTL_S


def test_a_session_resolves_until_it_expires(store, clock):
    alice = store.accounts.add("alice", "long enough")
    session = store.sessions.create(alice)
    assert session.expires_at_s == clock() + SESSION_TTL_S
    assert store.sessions.user(session.secret) == alice
    clock.tick(SESSION_TTL_S - 1)
    assert store.sessions.user(session.secret) == alice
    clock.tick(1)
    assert store.sessions.user(session.secret) is None


def test_sign_out_ends_only_that_session(store):
    alice = store.accounts.add("alice", "long enough")
    phone, laptop = store.sessions.create(alice), store.sessions.create(alice)
    assert store.sessions.end(phone.secret)
    assert store.sessions.user(phone.secret) is None
    assert store.sessions.user(laptop.secret) == alice
    assert not store.sessions.end(phone.secret)
    assert store.sessions.end_all(alice.id) == 1


def test_unknown_and_absurd_tokens_resolve_to_nobody(store):
    store.sessions.create(store.accounts.add("alice", "long enough"))
    for token in ("", "x", "x" * 10_000, "\udcff"):
        assert store.sessions.user(token) is None


def test_tokens_and_keys_are_stored_as_digests(store, tmp_path):
    alice = store.accounts.add("alice", "long enough")
    session = store.sessions.create(alice)
    key = store.keys.create(alice, "phone")
    with sqlite3.connect(tmp_path / "catalog.sqlite3") as db:
        dump = "\n".join(db.iterdump())
    assert session.secret not in dump and key.secret not in dump


def test_api_keys_resolve_list_without_secret_and_revoke(store):
    alice = store.accounts.add("alice", "long enough")
    bob = store.accounts.add("bob", "long enough", Role.ADMIN)
    key = store.keys.create(alice, "phone")
    assert key.secret.startswith("msk_") and len(key.secret) > 40
    assert store.keys.user(key.secret) == alice
    assert store.keys.user(key.secret[:-1] + ("A" if key.secret[-1] != "A" else "B")) is None
    (listed,) = store.keys.list(alice.id)
    assert listed.label == "phone" and key.secret.startswith(listed.prefix)
    assert listed.last_used_at is not None
    assert key.secret not in str(listed.to_dict())
    assert not store.keys.revoke(bob.id, key.id)  # not bob's key
    assert store.keys.revoke(alice.id, key.id)
    assert store.keys.user(key.secret) is None


def test_removing_a_user_removes_their_sessions_and_keys(store):
    alice = store.accounts.add("alice", "long enough")
    session, key = store.sessions.create(alice), store.keys.create(alice)
    store.accounts.remove("alice")
    assert store.sessions.user(session.secret) is None
    assert store.keys.user(key.secret) is None


def test_remembered_answers_never_outlive_a_write_of_this_process(store):
    alice = store.accounts.add("alice", "long enough")
    session, key = store.sessions.create(alice), store.keys.create(alice)
    assert store.sessions.user(session.secret) == alice  # remembered now
    assert store.keys.user(key.secret) == alice
    store.sessions.end(session.secret)
    store.keys.revoke(alice.id, key.id)
    assert store.sessions.user(session.secret) is None
    assert store.keys.user(key.secret) is None
    assert store.accounts.exist()
    store.accounts.remove("alice")
    assert not store.accounts.exist()


def test_another_process_is_seen_within_the_ttl(store, catalog_target, tmp_path):
    from masterstream.users import UserStore
    from masterstream.users.passwords import FAST_TEST_PARAMETERS

    assert not store.accounts.exist()
    key = tmp_path / "subsonic.key"
    with UserStore(catalog_target, key_path=key, hashing=FAST_TEST_PARAMETERS) as other:
        other.accounts.add("alice", "long enough")  # e.g. the CLI, while the server runs
    assert not store.accounts.exist()  # remembered for up to two seconds
    store.accounts._recent.clock = lambda: 10**9  # long after
    assert store.accounts.exist()
