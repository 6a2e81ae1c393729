"""The mastering engine: presets, track fingerprints, per-track plans and the DSP chain.

Typical use: ``fingerprint = compute_fingerprint(audio, sr)`` and
``plan = plan_mastering(preset, fingerprint, audio, sr)`` once per track (both stored),
then ``render_chunk(path, geometry, k, plan, intensity)`` for any chunk, any time.
"""

from .chain import PIPELINE_VERSION, master_window, render_track
from .fingerprint import FINGERPRINT_FIELDS, Fingerprint, compute_fingerprint
from .plan import MasteringPlan, plan_mastering
from .presets import PRESET_NAMES, PRESETS, Preset, get_preset, validate_intensity
from .render import render_chunk

__all__ = [
    "FINGERPRINT_FIELDS",
    "PIPELINE_VERSION",
    "PRESETS",
    "PRESET_NAMES",
    "Fingerprint",
    "MasteringPlan",
    "Preset",
    "compute_fingerprint",
    "get_preset",
    "master_window",
    "plan_mastering",
    "render_chunk",
    "render_track",
    "validate_intensity",
]
