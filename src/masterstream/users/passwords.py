"""Password hashing: argon2id (argon2-cffi), with the rules a password must meet.

Hashes are self-describing PHC strings (``$argon2id$v=19$m=...,t=...,p=...$salt$hash``),
so stronger parameters later re-hash old passwords at their next sign-in
(:meth:`PasswordHashing.needs_rehash`). Verifying against an unknown account still runs
one full verification (against a dummy hash), so response times do not reveal which
names exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import InvalidUserError

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_BYTES = 1024  # bounds hashing work per attempt


@dataclass(frozen=True, slots=True)
class HashParameters:
    """argon2id cost. The default is RFC 9106's second recommended option (64 MiB, t=3)."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 4


FAST_TEST_PARAMETERS = HashParameters(time_cost=1, memory_kib=8 * 1024, parallelism=1)
"""Still argon2id, cheap enough for test suites that create many accounts."""


def check_password(password: str) -> None:
    """Raise ``InvalidUserError`` unless ``password`` is long enough and bounded."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidUserError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise InvalidUserError(f"a password is limited to {MAX_PASSWORD_BYTES} bytes")


class PasswordHashing:
    """Hash and verify passwords with argon2id."""

    def __init__(self, parameters: HashParameters | None = None) -> None:
        p = parameters or HashParameters()
        self.parameters = p
        self._hasher = PasswordHasher(
            time_cost=p.time_cost, memory_cost=p.memory_kib, parallelism=p.parallelism,
            hash_len=32, salt_len=16, type=Type.ID,
        )  # fmt: skip
        self._dummy = self._hasher.hash("not a password of anyone")

    def hash(self, password: str) -> str:
        """The PHC string of ``password`` (checked against the rules first)."""
        check_password(password)
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True if ``password`` matches ``stored_hash``; a None hash (unknown account)
        costs the same as a wrong password and is False."""
        if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
            return False
        try:
            ok = self._hasher.verify(stored_hash or self._dummy, password)
        except (VerificationError, InvalidHashError):
            return False
        return ok and stored_hash is not None

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True
