"""The mastering engine: presets, track fingerprints, per-track plans and the DSP chain.

Typical use: ``fingerprint, plans = analyse_file(path, [preset])`` once per track (both
stored; streamed over the file in bounded memory; ``compute_fingerprint`` and
``plan_mastering`` do the same for a track in memory), then
``render_chunk(path, geometry, k, plan, intensity)`` for any chunk, any time.
"""

from .analysis import analyse_file, fingerprint_file, plan_file
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
    "analyse_file",
    "compute_fingerprint",
    "fingerprint_file",
    "get_preset",
    "master_window",
    "plan_file",
    "plan_mastering",
    "render_chunk",
    "render_track",
    "validate_intensity",
]
