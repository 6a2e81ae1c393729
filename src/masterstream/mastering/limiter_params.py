"""The limiter's settings, apart from its compiled kernels (a plan loads without numba)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class LimiterParams:
    """Resolved limiter settings: ceiling (dBTP), look-ahead and release."""

    ceiling_dbtp: float
    lookahead_ms: float = 5.0
    release_ms: float = 80.0

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> LimiterParams:
        return cls(**{k: float(v) for k, v in data.items()})
