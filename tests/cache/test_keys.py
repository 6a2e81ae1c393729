"""ChunkKey: quantised intensity, every field distinguishes, stable text form round-trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from masterstream.cache import INTENSITY_STEP, ChunkKey, quantize_intensity
from masterstream.errors import InvalidIntensityError

from .fakes import make_key


def test_intensity_is_quantised_to_the_documented_step() -> None:
    assert INTENSITY_STEP == 0.01
    assert quantize_intensity(0.504) == 0.5
    assert quantize_intensity(0.496) == 0.5
    assert quantize_intensity(0.506) == 0.51
    assert make_key(intensity=0.5041) == make_key(intensity=0.4999)
    assert make_key(intensity=0.5041).digest == make_key(intensity=0.4999).digest


@pytest.mark.parametrize("bad", [-0.01, 1.01, float("nan"), float("inf"), "0.5", None, True])
def test_invalid_intensity_is_rejected(bad: object) -> None:
    with pytest.raises(InvalidIntensityError):
        quantize_intensity(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "field, value",
    [
        ("track_id", 12),
        ("signature", "other"),
        ("pipeline_version", "2"),
        ("preset", "bright"),
        ("intensity", 0.51),
        ("chunk_index", 1),
        ("fmt", "flac"),
    ],
)
def test_every_field_changes_the_key_and_its_names(field: str, value: object) -> None:
    base = make_key()
    other = make_key(**{field: value})
    assert other != base
    assert other.to_str() != base.to_str()
    assert other.digest != base.digest


def test_original_ignores_intensity() -> None:
    assert make_key(preset=None, intensity=0.2) == make_key(preset=None, intensity=0.9)
    assert make_key(preset=None).to_str() == "ck1:1:sig1:1:original:1.00:0:wav"


@pytest.mark.parametrize(
    "overrides",
    [{"fmt": "w:av"}, {"signature": ""}, {"preset": "original"}, {"chunk_index": -1}],
)
def test_malformed_fields_are_rejected(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        make_key(**overrides)


@given(
    track_id=st.integers(0, 10**9),
    preset=st.sampled_from([None, "warm", "bright", "adaptive"]),
    intensity=st.floats(0.0, 1.0),
    chunk_index=st.integers(0, 10**6),
    fmt=st.sampled_from(["wav", "flac"]),
)
def test_text_form_round_trips(
    track_id: int, preset: str | None, intensity: float, chunk_index: int, fmt: str
) -> None:
    key = ChunkKey(track_id, "abc123", "7", preset, intensity, chunk_index, fmt)
    assert ChunkKey.from_str(key.to_str()) == key
    assert len(key.digest) == 40
