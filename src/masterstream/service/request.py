"""What a client asks for, parsed and validated once at the edge: :class:`ChunkRequest`.

Every entry point (HTTP routes, the WebSocket feed, the CLI, the warmer) turns its own
input into a :class:`Variant` and a :class:`ChunkRequest` with the functions here, so the
rules live in one place: integers are canonical ASCII decimals (``2``, not ``+2``, ``02.0``,
``1_0`` or other scripts' digits, so one chunk has one URL), ``original`` is a preset name
whose intensity is always 1.0, and intensity is quantised to the cache's step. The cache's
spelling of the original (``preset=None`` in a :class:`~masterstream.cache.ChunkKey`) is
produced only by :attr:`Variant.key_preset`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..audio.encode import DEFAULT_FORMAT
from ..audio.formats import output_format
from ..cache import ORIGINAL, quantize_intensity
from ..errors import InvalidIntensityError, InvalidParameterError
from ..mastering import get_preset
from ..mastering.loudness_modes import LOUDNESS_MODES, TRACK

DEFAULT_PRESET = "adaptive"
MAX_ID = 2**63 - 1
MAX_POSITION_S = 1e9
ID_PATTERN = "^(0|[1-9][0-9]{0,18})$"
"""Ids and indices: canonical ASCII decimals (the OpenAPI ``pattern`` of every id)."""
_CANONICAL_INT = re.compile(ID_PATTERN)
_DECIMAL = re.compile(r"[0-9]{1,20}(\.[0-9]{1,20})?|\.[0-9]{1,20}")


def parse_int(name: str, raw: object, *, minimum: int = 0) -> int:
    """A non-negative id or index, from a canonical ASCII decimal string or a JSON int."""
    if type(raw) is int:
        value = raw
    elif isinstance(raw, str) and _CANONICAL_INT.fullmatch(raw):
        value = int(raw)
    else:
        shown = raw[:40] if isinstance(raw, str) else raw
        raise InvalidParameterError(name, f"must be an integer, got {shown!r}")
    if not minimum <= value <= MAX_ID:
        raise InvalidParameterError(name, f"must be an integer >= {minimum}, got {value}")
    return value


def parse_number(name: str, raw: object, *, maximum: float = math.inf) -> float:
    """A finite non-negative number from a plain decimal string or a JSON number."""
    if isinstance(raw, bool):
        raise InvalidParameterError(name, f"must be a number, got {raw!r}")
    if isinstance(raw, int) and abs(raw) > 2**63:
        raise InvalidParameterError(name, "is out of range")
    if isinstance(raw, int | float) or (isinstance(raw, str) and _DECIMAL.fullmatch(raw)):
        value = float(raw)
    else:
        shown = raw[:40] if isinstance(raw, str) else raw
        raise InvalidParameterError(name, f"must be a number, got {shown!r}")
    if not (math.isfinite(value) and 0.0 <= value <= maximum):
        raise InvalidParameterError(name, f"must be a number in [0, {maximum:g}], got {raw!r}")
    return value


@dataclass(frozen=True, slots=True)
class Variant:
    """A validated preset, intensity and loudness mode: what the chain does to a track."""

    preset: str
    intensity: float
    loudness: str = TRACK  # track: every track on the target; album: the album on it

    @classmethod
    def of(
        cls, preset: str = DEFAULT_PRESET, intensity: object = 1.0, loudness: object = TRACK
    ) -> Variant:
        """Validate ``preset`` (a known name, ``original`` included), ``intensity`` (a
        number in [0, 1], quantised) and ``loudness`` (``track`` or ``album``); raises the
        errors the API maps to 422. The original and intensity 0 are in track mode."""
        if not isinstance(preset, str):
            raise InvalidParameterError("preset", f"must be a string, got {preset!r}")
        get_preset(preset)
        level = quantize_intensity(intensity)  # type: ignore[arg-type]
        if loudness not in LOUDNESS_MODES:
            shown = loudness[:40] if isinstance(loudness, str) else loudness
            raise InvalidParameterError(
                "loudness", f"must be one of {', '.join(LOUDNESS_MODES)}, got {shown!r}"
            )
        if preset == ORIGINAL:
            return cls(preset, 1.0)
        return cls(preset, level, TRACK if level == 0.0 else str(loudness))

    @property
    def key_preset(self) -> str | None:
        """The preset as a :class:`~masterstream.cache.ChunkKey` spells it (None: original)."""
        return None if self.preset == ORIGINAL else self.preset


def check_format(fmt: object, bitrate_kbps: object = None, standalone: object = False) -> str:
    """The cache-key token of a supported format at a valid bitrate (``wav``, ``opus-128``;
    ``None``: the format's default bitrate), its chunks files of their own when
    ``standalone`` (``opus-128-standalone``). Raises the errors the API maps to 422."""
    if not isinstance(fmt, str):
        raise InvalidParameterError("format", f"must be a string, got {fmt!r}")
    if type(standalone) is not bool:
        raise InvalidParameterError("standalone", f"must be true or false, got {standalone!r}")
    return output_format(fmt, bitrate_kbps, standalone=standalone).token


def parse_flag(name: str, raw: str | None) -> bool:
    """A boolean query value: ``true``/``1`` or ``false``/``0`` (absent: false)."""
    if raw is None or raw in ("false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise InvalidParameterError(name, f"must be true or false, got {raw[:40]!r}")


def format_from_query(query: Mapping[str, str]) -> str:
    """The format token from raw ``format``, ``bitrate`` and ``standalone`` query values."""
    raw = query.get("bitrate")
    bitrate = None if raw is None else parse_int("bitrate", raw)
    standalone = parse_flag("standalone", query.get("standalone"))
    return check_format(query.get("format", DEFAULT_FORMAT), bitrate, standalone)


@dataclass(frozen=True, slots=True)
class ChunkRequest:
    """One chunk of one track in one variant and format, validated."""

    track_id: int
    chunk_index: int
    variant: Variant
    fmt: str = DEFAULT_FORMAT

    @classmethod
    def parse(cls, track_id: object, chunk_index: object, query: Mapping[str, str]) -> ChunkRequest:
        """From raw path values and the ``preset``/``intensity``/``format`` query."""
        return cls(
            parse_int("track_id", track_id),
            parse_int("chunk_idx", chunk_index),
            variant_from_query(query),
            format_from_query(query),
        )

    def at(self, chunk_index: int) -> ChunkRequest:
        """The same request for another chunk of the track."""
        return ChunkRequest(self.track_id, chunk_index, self.variant, self.fmt)


def variant_from_query(query: Mapping[str, str]) -> Variant:
    """A :class:`Variant` from raw ``preset``, ``intensity`` and ``loudness`` query values."""
    raw = query.get("intensity")
    intensity = 1.0 if raw is None else _intensity(raw)
    return Variant.of(query.get("preset", DEFAULT_PRESET), intensity, query.get("loudness", TRACK))


def _intensity(raw: str) -> float:
    try:
        return parse_number("intensity", raw, maximum=1.0)
    except InvalidParameterError:
        raise InvalidIntensityError(raw[:40]) from None


@dataclass(frozen=True, slots=True)
class PlaybackPosition:
    """A listener's report: what it plays, where, in which variant and format."""

    track_id: int
    position_s: float
    variant: Variant
    fmt: str = DEFAULT_FORMAT

    @classmethod
    def parse(cls, fields: Mapping[str, object]) -> PlaybackPosition:
        """From a WebSocket ``playback_position`` message's ``data``."""
        preset = fields.get("preset", DEFAULT_PRESET)
        variant = Variant.of(ORIGINAL if preset is None else preset, fields.get("intensity", 1.0),  # type: ignore[arg-type]
                             fields.get("loudness", TRACK))  # fmt: skip
        track_id, position_s = fields.get("track_id"), fields.get("position_s")
        if type(track_id) is not int:  # JSON carries numbers as numbers, not strings
            raise InvalidParameterError("track_id", f"must be an integer, got {track_id!r}")
        if type(position_s) not in (int, float):
            raise InvalidParameterError("position_s", f"must be a number, got {position_s!r}")
        return cls(
            parse_int("track_id", track_id),
            parse_number("position_s", position_s, maximum=MAX_POSITION_S),
            variant,
            check_format(
                fields.get("format", DEFAULT_FORMAT),
                fields.get("bitrate"),
                fields.get("standalone", False),
            ),
        )
