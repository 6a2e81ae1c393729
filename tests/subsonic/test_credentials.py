"""Subsonic passwords at rest (AES-GCM, key file 0600) and the token/password checks."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from masterstream.subsonic.auth import matches, plain_password, token
from masterstream.subsonic.errors import MISSING_PARAMETER, WRONG_CREDENTIALS, SubsonicError
from masterstream.users import InvalidUserError, Role, UserStore
from masterstream.users.passwords import FAST_TEST_PARAMETERS


@pytest.fixture
def store(tmp_path: Path) -> Iterator[UserStore]:
    with UserStore(tmp_path / "catalog.sqlite3", hashing=FAST_TEST_PARAMETERS) as opened:
        yield opened


def test_token_is_md5_of_password_and_salt():
    # the worked example of the Subsonic API documentation
    assert token("sesame", "c19b2d") == "26719a1196d2a940705a59634eb18eab"


def test_matches_token_and_legacy_passwords():
    t = token("sesame", "c19b2d")
    assert matches("sesame", t=t, s="c19b2d", p=None)
    assert matches("sesame", t=t.upper(), s="c19b2d", p=None)
    assert not matches("sesame", t=t, s="other-salt", p=None)
    assert not matches("sesame!", t=t, s="c19b2d", p=None)
    assert matches("sesame", t=None, s=None, p="sesame")
    assert matches("sesame", t=None, s=None, p="enc:" + b"sesame".hex())
    assert not matches("sesame", t=None, s=None, p="enc:" + b"sesamE".hex())
    with pytest.raises(SubsonicError) as no_salt:
        matches("sesame", t=t, s=None, p=None)
    assert no_salt.value.code == MISSING_PARAMETER
    with pytest.raises(SubsonicError) as bad_hex:
        plain_password("enc:zz")
    assert bad_hex.value.code == WRONG_CREDENTIALS


def test_enable_stores_the_password_encrypted_under_a_private_key(store: UserStore):
    user = store.accounts.add("carol", "sign-in secret", Role.USER)
    assert store.subsonic.credentials("carol") is None and not store.subsonic.enabled(user.id)
    store.subsonic.enable(user, "phone password")
    assert store.subsonic.credentials("carol") == (user, "phone password")
    assert store.subsonic.credentials("CAROL")[1] == "phone password"  # names: case aside
    key = store.subsonic.key_path
    assert key.exists() and stat.S_IMODE(key.stat().st_mode) == 0o600
    row = store.db.query("SELECT sealed FROM user_subsonic WHERE user_id = ?", (user.id,))[0]
    assert b"phone password" not in bytes(row["sealed"])
    files = [store.db.path, store.db.path.with_name(store.db.path.name + "-wal")]
    assert not any(b"phone password" in f.read_bytes() for f in files if f.exists())


def test_generated_passwords_are_strong_and_replace_the_old(store: UserStore):
    user = store.accounts.add("dave", "sign-in secret", Role.USER)
    first = store.subsonic.enable(user)
    second = store.subsonic.enable(user)
    assert len(first) >= 24 and first != second
    assert store.subsonic.credentials("dave")[1] == second


def test_a_row_moved_to_another_user_does_not_decrypt(store: UserStore):
    one = store.accounts.add("erin", "sign-in secret", Role.USER)
    two = store.accounts.add("frank", "sign-in secret", Role.USER)
    store.subsonic.enable(one, "erin's password")
    store.db.execute("UPDATE user_subsonic SET user_id = ? WHERE user_id = ?", (two.id, one.id))
    assert store.subsonic.credentials("frank") is None


def test_disable_short_passwords_and_removed_users(store: UserStore):
    user = store.accounts.add("gina", "sign-in secret", Role.USER)
    with pytest.raises(InvalidUserError):
        store.subsonic.enable(user, "short")
    store.subsonic.enable(user, "long enough")
    assert store.subsonic.disable(user.id) and not store.subsonic.disable(user.id)
    assert store.subsonic.credentials("gina") is None
    store.subsonic.enable(user, "long enough")
    store.accounts.remove("gina")
    assert store.db.query("SELECT COUNT(*) AS n FROM user_subsonic")[0]["n"] == 0


def test_the_key_survives_a_reopen(tmp_path: Path):
    path = tmp_path / "catalog.sqlite3"
    with UserStore(path, hashing=FAST_TEST_PARAMETERS) as first:
        first.subsonic.enable(first.accounts.add("hana", "sign-in secret"), "kept password")
    with UserStore(path, hashing=FAST_TEST_PARAMETERS) as second:
        assert second.subsonic.credentials("hana")[1] == "kept password"
