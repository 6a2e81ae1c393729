"""The masterstream exception tree.

Every error the package raises on purpose derives from :class:`MasterstreamError`
and carries the context a user needs (track id, chunk index, path, valid values).
The API edge maps these to RFC 9457 problem details, the CLI to one-line messages.

    MasterstreamError
    ├── AudioError                  (path)
    │   ├── UnsupportedAudioError   file is not audio we can decode
    │   └── SourceUnavailableError  file missing or unreadable right now
    ├── InvalidRequestError         a caller asked for something that cannot exist
    │   ├── InvalidParameterError   (name) a value that is not of its type
    │   ├── UnknownPresetError      (preset, valid)
    │   ├── InvalidIntensityError   (intensity)
    │   ├── UnsupportedFormatError  (format, valid)
    │   ├── ChunkOutOfRangeError    (track_id, chunk_index, chunk_count)
    │   └── MonitoringError         bad figures given to monitoring (also a ValueError)
    │       └── UnknownMetricError  (metric, valid)
    ├── TrackNotFoundError          (track_id)
    ├── AlbumNotFoundError          (album_id)
    ├── ArtistNotFoundError         (artist_id)
    ├── CatalogError                the SQLite catalog failed
    ├── RenderError                 the mastering chain failed for a chunk
    ├── CacheError                  a cache tier failed in a way the caller must see
    └── ConfigError                 a setting, config file or secret file is wrong
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class MasterstreamError(Exception):
    """Root of every error masterstream raises on purpose."""


class AudioError(MasterstreamError):
    """An audio file could not be used."""

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        super().__init__(message)
        self.path = str(path) if path is not None else None


class UnsupportedAudioError(AudioError):
    """The file exists but is not audio in a format we can decode."""


class SourceUnavailableError(AudioError):
    """The file is missing, unreadable or truncated at the moment we need it."""


class InvalidRequestError(MasterstreamError):
    """A caller asked for something that cannot exist."""


class InvalidParameterError(InvalidRequestError):
    """A request parameter that is not a value of its type (an id that is not an integer)."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        super().__init__(f"{name}: {message}")


class UnknownPresetError(InvalidRequestError):
    def __init__(self, preset: str, valid: Iterable[str]) -> None:
        self.preset = preset
        self.valid = sorted(valid)
        super().__init__(f"unknown preset {preset!r}; valid presets: {', '.join(self.valid)}")


class InvalidIntensityError(InvalidRequestError):
    def __init__(self, intensity: object) -> None:
        self.intensity = intensity
        super().__init__(f"intensity must be a number in [0, 1], got {intensity!r}")


class UnsupportedFormatError(InvalidRequestError):
    def __init__(self, fmt: str, valid: Iterable[str]) -> None:
        self.format = fmt
        self.valid = sorted(valid)
        super().__init__(f"unsupported format {fmt!r}; supported: {', '.join(self.valid)}")


class ChunkOutOfRangeError(InvalidRequestError):
    def __init__(self, track_id: object, chunk_index: int, chunk_count: int) -> None:
        self.track_id = track_id
        self.chunk_index = chunk_index
        self.chunk_count = chunk_count
        super().__init__(
            f"chunk {chunk_index} is out of range for track {track_id}: "
            f"valid chunks are 0..{chunk_count - 1}"
        )


class TrackNotFoundError(MasterstreamError):
    def __init__(self, track_id: object) -> None:
        self.track_id = track_id
        super().__init__(f"no track with id {track_id!r} in the catalog")


class AlbumNotFoundError(MasterstreamError):
    def __init__(self, album_id: object) -> None:
        self.album_id = album_id
        super().__init__(f"no album with id {album_id!r} in the catalog")


class ArtistNotFoundError(MasterstreamError):
    def __init__(self, artist_id: object) -> None:
        self.artist_id = artist_id
        super().__init__(f"no artist with id {artist_id!r} in the catalog")


class CatalogError(MasterstreamError):
    """The SQLite catalog could not be read or written."""


class ConfigError(MasterstreamError, ValueError):
    """A configuration value, file or secret file is wrong (the CLI exits with status 2)."""


class RenderError(MasterstreamError):
    """The mastering chain failed for a chunk."""


class CacheError(MasterstreamError):
    """A cache tier failed in a way its caller must see."""


class MonitoringError(InvalidRequestError, ValueError):
    """Monitoring was given figures that cannot be right (negative counts, rates outside
    [0, 1], an unknown cache source or window)."""


class UnknownMetricError(MonitoringError):
    def __init__(self, metric: str, valid: Iterable[str]) -> None:
        self.metric = metric
        self.valid = sorted(valid)
        super().__init__(f"unknown metric {metric!r}; valid metrics: {', '.join(self.valid)}")
