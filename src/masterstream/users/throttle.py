"""Failed sign-ins, rate-limited per account name and per client address.

Each failure takes a token from the account's bucket and from the address's; while
either is empty, sign-in attempts for that account or from that address are refused
before any password is checked (so the refusal costs no hashing). A successful sign-in
refills its account's bucket. Sessions and API keys are unaffected: throttling an
account never signs anyone out.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .buckets import TokenBuckets


class SignInThrottle:
    """``per_account`` failures per ``period_s`` for a name, ``per_address`` for a client."""

    def __init__(
        self, *, per_account: int = 10, per_address: int = 30, period_s: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self.accounts = TokenBuckets(per_account, period_s, clock=clock)
        self.addresses = TokenBuckets(per_address, period_s, clock=clock)

    @staticmethod
    def _account(name: str) -> str:
        return name[:64].casefold()

    def retry_after_s(self, name: str, address: str) -> float | None:
        """None if an attempt for ``name`` from ``address`` may be checked now."""
        waits = [self.accounts.retry_after_s(self._account(name)),
                 self.addresses.retry_after_s(address)]  # fmt: skip
        known = [w for w in waits if w is not None]
        return max(known) if known else None

    def failed(self, name: str, address: str) -> None:
        self.accounts.charge(self._account(name))
        self.addresses.charge(address)

    def succeeded(self, name: str) -> None:
        self.accounts.reset(self._account(name))
