"""What a mastering plan is: every track-level decision the chain needs.

A :class:`MasteringPlan` holds the resolved EQ bands, the compressor with an absolute
threshold, the limiter ceiling and the calibrated loudness gain, so rendering any chunk of
the track needs nothing but the plan and the samples around that chunk. Plans are frozen,
picklable and JSON-round-trippable (:meth:`MasteringPlan.to_dict` /
:meth:`MasteringPlan.from_dict`); the catalog stores them. :mod:`.plan` makes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .compressor import CompressorParams
from .filters import EqBand
from .limiter_params import LimiterParams
from .transients import TransientParams


@dataclass(frozen=True, slots=True)
class MasteringPlan:
    """Everything needed to master any chunk of one track with one preset."""

    preset: str
    sample_rate: int
    passthrough: bool
    eq: tuple[EqBand, ...] = ()
    compressor: CompressorParams | None = None
    limiter: LimiterParams | None = None
    transients: TransientParams | None = None
    gain_db: float = 0.0
    target_lufs: float | None = None
    true_peak_dbtp: float | None = None
    calibrated_lufs: float | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "preset": self.preset,
            "sample_rate": self.sample_rate,
            "passthrough": self.passthrough,
            "eq": [band.to_dict() for band in self.eq],
            "compressor": self.compressor.to_dict() if self.compressor else None,
            "limiter": self.limiter.to_dict() if self.limiter else None,
            "transients": self.transients.to_dict() if self.transients else None,
            "gain_db": self.gain_db,
            "target_lufs": self.target_lufs,
            "true_peak_dbtp": self.true_peak_dbtp,
            "calibrated_lufs": self.calibrated_lufs,
        }

    @classmethod
    def from_dict(cls, data: dict) -> MasteringPlan:
        def optional(key: str) -> float | None:
            return None if data.get(key) is None else float(data[key])

        return cls(
            preset=str(data["preset"]),
            sample_rate=int(data["sample_rate"]),
            passthrough=bool(data["passthrough"]),
            eq=tuple(EqBand.from_dict(band) for band in data.get("eq") or ()),
            compressor=CompressorParams.from_dict(data["compressor"])
            if data.get("compressor")
            else None,
            limiter=LimiterParams.from_dict(data["limiter"]) if data.get("limiter") else None,
            transients=TransientParams.from_dict(data["transients"])
            if data.get("transients")
            else None,
            gain_db=float(data.get("gain_db", 0.0)),
            target_lufs=optional("target_lufs"),
            true_peak_dbtp=optional("true_peak_dbtp"),
            calibrated_lufs=optional("calibrated_lufs"),
        )
