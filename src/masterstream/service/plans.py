"""Mastering plans per (track, preset): computed once, kept in memory and in the catalog.

A plan holds the chain parameters and the per-track calibrated gain. Computing one
decodes the whole track and runs the chain over it, so it happens at most once per
(track, signature, pipeline version, preset): concurrent callers wait for the first.
"""

from __future__ import annotations

import threading

import numpy as np

from ..audio.decode import read_all
from ..library.catalog import Catalog, TrackRecord
from ..mastering import PIPELINE_VERSION, Fingerprint, MasteringPlan, get_preset, plan_mastering
from ..mastering import compute_fingerprint as _compute_fingerprint

ORIGINAL = "original"


class PlanStore:
    """Memory → catalog → compute, one computation per key however many threads ask."""

    def __init__(self, catalog: Catalog, *, pipeline_version: str = PIPELINE_VERSION) -> None:
        self.catalog = catalog
        self.pipeline_version = pipeline_version
        self._plans: dict[tuple[int, str, str], MasteringPlan] = {}
        self._locks: dict[tuple[int, str, str], threading.Lock] = {}
        self._guard = threading.Lock()
        self.computed = 0

    def get(self, record: TrackRecord, preset: str) -> MasteringPlan:
        get_preset(preset)  # unknown preset -> UnknownPresetError before any work
        key = (record.id, record.signature, preset)
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            plan = self._plans.get(key) or self._load_or_compute(record, preset)
            self._plans[key] = plan
        return plan

    def forget_track(self, track_id: int) -> None:
        with self._guard:
            for key in [k for k in self._plans if k[0] == track_id]:
                del self._plans[key]

    def _load_or_compute(self, record: TrackRecord, preset: str) -> MasteringPlan:
        stored = self.catalog.get_plan(record.id, preset, signature=record.signature,
                                       pipeline_version=self.pipeline_version)  # fmt: skip
        if stored is not None:
            return MasteringPlan.from_dict(stored)
        plan = compute_plan(record, preset)
        self.computed += 1
        self.catalog.put_plan(record.id, preset, plan.to_dict(), signature=record.signature,
                              pipeline_version=self.pipeline_version)  # fmt: skip
        return plan


def track_fingerprint(record: TrackRecord, audio: np.ndarray | None = None) -> Fingerprint:
    if record.fingerprint is not None:
        return Fingerprint.from_dict(record.fingerprint)
    if audio is None:
        audio, _ = read_all(record.path)
    return _compute_fingerprint(audio, record.sample_rate)


def compute_plan(record: TrackRecord, preset: str) -> MasteringPlan:
    """Decode the whole track and plan ``preset`` for it (CPU-bound: call off the event loop)."""
    if preset == ORIGINAL:
        silent = np.zeros((0, record.channels), dtype=np.float32)
        return plan_mastering(preset, track_fingerprint(record, silent), silent, record.sample_rate)
    audio, sample_rate = read_all(record.path)
    return plan_mastering(preset, track_fingerprint(record, audio), audio, sample_rate)
