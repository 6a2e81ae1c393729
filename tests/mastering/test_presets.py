"""Preset registry, listing and intensity validation."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from masterstream.errors import InvalidIntensityError, UnknownPresetError
from masterstream.mastering import PRESET_NAMES, PRESETS, get_preset, validate_intensity


def test_the_six_presets_exist_in_order() -> None:
    assert PRESET_NAMES == ("original", "adaptive", "gentle", "warm", "bright", "punchy")
    assert all(get_preset(name) is PRESETS[name] for name in PRESET_NAMES)


def test_unknown_preset_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownPresetError) as info:
        get_preset("loud")
    assert info.value.preset == "loud"
    assert info.value.valid == sorted(PRESET_NAMES)
    assert "punchy" in str(info.value)


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_presets_list_as_json(name: str) -> None:
    data = json.loads(json.dumps(get_preset(name).to_dict()))
    assert {"name", "description", "target_lufs", "true_peak_dbtp"} <= data.keys()
    assert data["name"] == name and data["description"]
    if name == "original":
        assert data["passthrough"] is True and data["target_lufs"] is None
    else:
        assert -23.0 <= data["target_lufs"] <= -9.0
        assert data["true_peak_dbtp"] <= -1.0
        assert data["eq"] and data["compressor"]["ratio"] >= 1.0


def test_a_preset_cannot_promise_a_ceiling_above_minus_one() -> None:
    with pytest.raises(ValueError, match="true_peak_dbtp"):
        type(get_preset("warm"))("hot", "too hot", -8.0, -0.1)


@pytest.mark.parametrize("value", [0, 1, 0.0, 0.25, 1.0, np.float32(0.5), np.float64(0.75)])
def test_valid_intensities_come_back_as_floats(value: object) -> None:
    result = validate_intensity(value)
    assert isinstance(result, float) and result == pytest.approx(float(value))


@pytest.mark.parametrize(
    "value", [math.nan, math.inf, -math.inf, -0.01, 1.01, 2, "0.5", None, True, [0.5]]
)
def test_invalid_intensities_are_rejected(value: object) -> None:
    with pytest.raises(InvalidIntensityError):
        validate_intensity(value)
