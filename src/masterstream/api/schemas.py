"""Request and response models of the HTTP API that the seed document does not define.

The seed's cache models (``CacheStatsResponse``, ``CacheAwareResponse`` …) come from
:mod:`masterstream.monitoring`; these are the server's own shapes.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class TrackSummary(BaseModel):
    id: int
    title: str
    artist: str | None
    duration_s: float = Field(ge=0)
    sample_rate: int
    channels: int
    chunk_count: int = Field(ge=1)
    chunk_duration_s: float
    version: str = Field(
        description="Version token of the track's chunk bytes: chunk and stream URLs carrying "
        "it as `v=` may be cached for good (it changes when the file or the pipeline does)."
    )
    album_id: int | None = None
    artist_id: int | None = None
    album: str | None = None
    album_artist: str | None = None
    track_number: int | None = None
    disc_number: int | None = None
    year: int | None = None
    genre: str | None = None
    has_cover: bool = False


class TrackPage(BaseModel):
    items: list[TrackSummary]
    total: int = Field(ge=0)
    offset: int = Field(ge=0)
    limit: int = Field(ge=1)


class TrackDetail(TrackSummary):
    signature: str
    fingerprint: dict[str, Any] | None


class AlbumSummary(BaseModel):
    id: int
    title: str
    artist_id: int = Field(description="The album artist.")
    artist: str
    year: int | None
    track_count: int = Field(ge=0)
    duration_s: float = Field(ge=0)
    compilation: bool
    has_cover: bool = Field(description="False: the cover URL serves a generated placeholder.")
    added_at: str


class AlbumPage(BaseModel):
    items: list[AlbumSummary]
    total: int = Field(ge=0)
    offset: int = Field(ge=0)
    limit: int = Field(ge=1)


class AlbumDetail(AlbumSummary):
    tracks: list[TrackSummary] = Field(description="In disc and track order.")


class ArtistSummary(BaseModel):
    id: int
    name: str
    album_count: int = Field(ge=0, description="Albums with this album artist.")
    track_count: int = Field(ge=0, description="Tracks with this (first) track artist.")


class ArtistPage(BaseModel):
    items: list[ArtistSummary]
    total: int = Field(ge=0)
    offset: int = Field(ge=0)
    limit: int = Field(ge=1)


class ArtistDetail(ArtistSummary):
    albums: list[AlbumSummary]
    appears_on: list[AlbumSummary] = Field(
        description="Albums of other album artists with tracks by this artist."
    )


class SearchResults(BaseModel):
    artists: list[ArtistSummary]
    albums: list[AlbumSummary]
    tracks: list[TrackSummary]


class WarmRequest(BaseModel):
    """Body of ``POST /api/cache/warm``."""

    model_config = ConfigDict(extra="forbid")

    track_id: int
    preset: str = Field(default="adaptive", max_length=64)
    intensity: float = Field(default=1.0, ge=0.0, le=1.0)
    format: str = Field(default="wav", max_length=16)


class WarmAccepted(BaseModel):
    status: Literal["accepted", "already_running"]
    track_id: int
    preset: str
    intensity: float
    format: str
    total_chunks: int


class ClearResult(BaseModel):
    removed_entries: int = Field(ge=0, description="Entries whose bytes were really deleted.")
    failed_entries: int = Field(0, ge=0, description="Entries that could not be deleted "
                                "(still cached; the server log says why).")  # fmt: skip
    track_id: int | None = None


class ScanResult(BaseModel):
    added: int
    updated: int
    removed: int
    unchanged: int
    skipped: list[dict[str, str]]
    tracks: int
    cleared_entries: int = Field(ge=0)


class Liveness(BaseModel):
    status: Literal["pass"]


class Readiness(BaseModel):
    status: Literal["pass", "fail"]
    checks: dict[str, str]


class HealthCheck(BaseModel):
    """``application/health+json`` (draft-inadarei-api-health-check)."""

    status: Literal["pass", "warn", "fail"]
    version: str
    description: str
    checks: dict[str, list[dict[str, Any]]]
    notes: list[str] = []


class ToneBand(BaseModel):
    """One band of a track's long-term spectrum: its share of the 20 Hz-20 kHz energy."""

    name: str
    low_hz: float
    high_hz: float
    share: float


class FingerprintView(BaseModel):
    """A track's fingerprint grouped for reading: tonal balance, dynamics, stereo, time."""

    tonal_balance: list[ToneBand]
    integrated_lufs: float
    loudness_range_lu: float
    true_peak_dbtp: float
    crest_factor_db: float
    plr_db: float
    spectral_centroid_hz: float
    spectral_tilt_db_per_octave: float
    stereo_width: float
    phase_correlation: float
    tempo_bpm: float
    transient_density_per_s: float
    duration_s: float


class EqCurvePoint(BaseModel):
    frequency_hz: float
    gain_db: float = Field(description="The plan's EQ alone, at full intensity.")
    blended_gain_db: float = Field(
        description="The EQ as heard at the requested intensity: |(1 - i) + i * H(f)|."
    )


class LoudnessFigures(BaseModel):
    """Measured (or, where ``estimated`` says so, derived) loudness figures; None: not known
    (not held by the plan and not measured yet)."""

    integrated_lufs: float | None
    loudness_range_lu: float | None
    true_peak_dbtp: float | None
    crest_factor_db: float | None
    estimated: list[str] = Field(default_factory=list)


class LevelMatch(BaseModel):
    """What the player needs to compare the original at the mastered loudness."""

    original_lufs: float | None
    mastered_lufs: float | None
    target_lufs: float | None
    original_gain_db: float = Field(
        description="Gain to apply to the original so it plays at the mastered loudness."
    )


class MasteringView(BaseModel):
    """``GET /api/tracks/{id}/mastering``: what a preset does to one track, from its plan."""

    track_id: int
    preset: str
    intensity: float
    passthrough: bool
    planned_now: bool = Field(description="True when the plan was computed for this request.")
    fingerprint: FingerprintView | None
    eq_bands: list[dict[str, Any]]
    eq_curve: list[EqCurvePoint]
    compressor: dict[str, Any] | None
    transients: dict[str, Any] | None
    limiter: dict[str, Any] | None
    loudness_gain_db: float
    before: LoudnessFigures
    after: LoudnessFigures
    level_match: LevelMatch
    notes: list[str]
    measuring: bool = Field(
        default=False,
        description="True while the mastered output is being measured: ask again shortly "
        "for measured figures in 'after'.",
    )


class SkippedFileView(BaseModel):
    path: str
    reason: str
    phase: Literal["indexing", "analysing"]


class LibraryScanStatus(BaseModel):
    """``GET /api/library/status`` and the ``library_scan`` WebSocket topic."""

    phase: Literal["idle", "synthesising", "indexing", "analysing", "planning"]
    scans: int = Field(ge=0, description="Scans started since the server started.")
    files_seen: int = Field(ge=0, description="Audio files the current index pass found.")
    files_indexed: int = Field(ge=0)
    files_analysed: int = Field(ge=0, description="Fingerprints measured during this scan.")
    analysis_queued: int = Field(ge=0, description="Tracks this scan's analysis took on.")
    files_skipped: int = Field(ge=0)
    rate_per_s: float | None = Field(description="Files per second in the current phase.")
    eta_s: float | None = Field(description="Seconds left in the current phase, estimated.")
    started_at: str | None
    finished_at: str | None
    skipped: list[SkippedFileView]
    last_report: dict[str, Any] | None = Field(description="The last index pass's report.")
