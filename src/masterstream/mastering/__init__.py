"""The mastering engine: presets, track fingerprints, per-track plans and the DSP chain.

Typical use: ``fingerprint, plans = analyse_file(path, [preset])`` once per track (both
stored; streamed over the file in bounded memory; ``compute_fingerprint`` and
``plan_mastering`` do the same for a track in memory), then
``render_chunk(path, geometry, k, plan, intensity)`` for any chunk, any time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_exports

_EXPORTS = {
    "FINGERPRINT_FIELDS": "fingerprint",
    "PIPELINE_VERSION": "version",
    "PRESETS": "presets",
    "PRESET_NAMES": "presets",
    "Fingerprint": "fingerprint",
    "MasteringPlan": "plan_model",
    "Preset": "presets",
    "analyse_file": "analysis",
    "compute_fingerprint": "fingerprint",
    "fingerprint_file": "analysis",
    "get_preset": "presets",
    "master_window": "chain",
    "plan_file": "analysis",
    "plan_mastering": "plan",
    "render_chunk": "render",
    "render_track": "chain",
    "validate_intensity": "presets",
}
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
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

if TYPE_CHECKING:  # static analysers see the real objects
    from .analysis import analyse_file, fingerprint_file, plan_file
    from .chain import master_window, render_track
    from .fingerprint import FINGERPRINT_FIELDS, Fingerprint, compute_fingerprint
    from .plan import plan_mastering
    from .plan_model import MasteringPlan
    from .presets import PRESET_NAMES, PRESETS, Preset, get_preset, validate_intensity
    from .render import render_chunk
    from .version import PIPELINE_VERSION
