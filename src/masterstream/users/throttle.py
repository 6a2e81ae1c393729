"""Failed sign-ins, rate-limited per account name and per client address.

Each attempt takes a token from the account's bucket and from the address's before the
password is checked (so concurrent guesses cannot slip past the count); a successful
sign-in gives the address its token back and refills the account's bucket, so only
failures add up. While either bucket is empty, attempts for that account or from that
address are refused without checking any password (a refusal costs no hashing).
Sessions and API keys are unaffected: throttling an account never signs anyone out.
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

    def attempt(self, name: str, address: str) -> None:
        """Count an attempt as failed until :meth:`succeeded` says otherwise."""
        self.accounts.charge(self._account(name))
        self.addresses.charge(address)

    def succeeded(self, name: str, address: str) -> None:
        self.accounts.reset(self._account(name))
        self.addresses.refund(address)
