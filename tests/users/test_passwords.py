"""argon2id hashing: real hashes, rehash on stronger parameters, bounded inputs."""

from __future__ import annotations

import pytest

from masterstream.users import InvalidUserError
from masterstream.users.passwords import (
    FAST_TEST_PARAMETERS,
    MAX_PASSWORD_BYTES,
    HashParameters,
    PasswordHashing,
)


def test_hash_and_verify():
    hashing = PasswordHashing(FAST_TEST_PARAMETERS)
    stored = hashing.hash("correct horse")
    assert stored.startswith("$argon2id$v=19$m=8192,t=1,p=1$")
    assert hashing.verify(stored, "correct horse")
    assert not hashing.verify(stored, "correct hors")
    assert not hashing.verify(None, "correct horse")  # unknown account
    assert not hashing.verify("not a hash", "correct horse")
    assert hashing.hash("correct horse") != stored  # salted


def test_default_parameters_are_rfc_9106_and_old_hashes_get_rehashed():
    strong = PasswordHashing()
    assert strong.parameters == HashParameters(time_cost=3, memory_kib=65536, parallelism=4)
    weak_hash = PasswordHashing(FAST_TEST_PARAMETERS).hash("correct horse")
    assert strong.verify(weak_hash, "correct horse")
    assert strong.needs_rehash(weak_hash)
    assert not strong.needs_rehash(strong.hash("correct horse"))


def test_oversized_passwords_are_refused_without_hashing():
    hashing = PasswordHashing(FAST_TEST_PARAMETERS)
    with pytest.raises(InvalidUserError):
        hashing.hash("x" * (MAX_PASSWORD_BYTES + 1))
    assert not hashing.verify(hashing.hash("x" * 8), "x" * (MAX_PASSWORD_BYTES + 1))
