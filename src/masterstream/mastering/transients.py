"""Transient shaper: boosts the attack of each hit (what makes ``punchy`` punchy).

The loop itself is fused with the compressor in :mod:`.dynamics`. Two stereo-linked
power followers run side by side: a fast one that jumps on a hit and a slow one that lags
behind it. While the fast one is above the slow one a hit is starting, and the linear gain
is ``1 + amount/2 * (fast/slow - 1)`` (about ``amount`` dB per dB of difference for small
differences, steeper for big hits), capped at ``max_boost_db``. Both
followers are contracting one-pole recursions, so the stage forgets its initial state
within a few hundred milliseconds (seamless chunks with pre-roll).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class TransientParams:
    """Attack emphasis: about ``amount`` dB of boost per dB of fast-over-slow envelope,
    capped at ``max_boost_db``."""

    amount: float = 0.5
    max_boost_db: float = 4.0
    fast_attack_ms: float = 1.0
    fast_release_ms: float = 40.0
    slow_attack_ms: float = 25.0
    slow_release_ms: float = 150.0

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TransientParams:
        return cls(**{k: float(v) for k, v in data.items()})
