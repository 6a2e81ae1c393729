"""The seed's cache-integration models (Pydantic v2), validated strictly.

Counts are non-negative integers (a bool or a float is not a count), rates lie in
[0, 1], percentages in [0, 100], sizes and times are finite and non-negative, a cache
source is one of :class:`CacheSource`, and every timestamp is normalised to UTC and
stored timezone-aware (a naive datetime, such as the seed's ``datetime.utcnow()``, is
taken as UTC). Tier stats
accept extra fields a cache may publish (``capacity_bytes``, ``evictions``,
``tracks_cached`` …); the other models forbid unknown fields so typos surface.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    model_validator,
)

from .alerts import HealthStatus


class CacheSource(StrEnum):
    """Where a response's data came from."""

    TIER1 = "tier1"
    TIER2 = "tier2"
    SHARED = "shared"  # the Redis/Valkey tier shared by several servers
    MISS = "miss"

    @property
    def is_hit(self) -> bool:
        """True for every cache tier, False for a miss."""
        return self is not CacheSource.MISS


def utc_now() -> datetime:
    return datetime.now(UTC)


def _to_utc(value: datetime) -> datetime:
    """An aware datetime in UTC; a naive one is taken as UTC (``datetime.utcnow()``)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Count = Annotated[StrictInt, Field(ge=0)]
Rate = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Percent = Annotated[float, Field(ge=0.0, le=100.0, allow_inf_nan=False)]
SizeMb = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
Seconds = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
UtcTimestamp = Annotated[datetime, AfterValidator(_to_utc)]
TrackId = StrictInt | str
TrackKey = Annotated[int | str, Field(union_mode="left_to_right")]
"""Mapping keys: digits become ints, so JSON object keys round-trip to track ids."""

T = TypeVar("T")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, use_enum_values=False)


class ChunkCacheMetadata(_Model):
    """One chunk's cache facts: which variant, where it was found, how often it was used."""

    track_id: TrackId
    chunk_index: Count
    preset: str | None = None  # None: the original, unmastered audio
    intensity: Rate = 1.0
    source: CacheSource
    timestamp: UtcTimestamp = Field(default_factory=utc_now)
    access_count: Count = 0


class TrackCacheStatusResponse(_Model):
    """How much of one track (one variant) is cached."""

    track_id: TrackId
    total_chunks: Count
    cached_original: Count
    cached_processed: Count
    completion_percent: Percent
    fully_cached: StrictBool
    estimated_cache_time_seconds: Seconds | None = None


class CacheTierStats(BaseModel):
    """Counters of one tier; extra fields a cache publishes are kept as they are."""

    model_config = ConfigDict(extra="allow")

    tier_name: str = Field(min_length=1)
    chunks: Count
    size_mb: SizeMb
    hits: Count
    misses: Count
    hit_rate: Rate


class OverallCacheStats(BaseModel):
    """Totals over every tier; extra fields (e.g. ``requests``) are kept."""

    model_config = ConfigDict(extra="allow")

    total_chunks: Count
    total_size_mb: SizeMb
    total_hits: Count
    total_misses: Count
    overall_hit_rate: Rate
    tracks_cached: Count


class CacheStatsResponse(_Model):
    """Everything ``format_cache_stats`` returns: tiers, totals, per-track status."""

    tier1: CacheTierStats
    tier2: CacheTierStats
    overall: OverallCacheStats
    tracks: dict[TrackKey, TrackCacheStatusResponse] = Field(default_factory=dict)
    render: dict[str, int | float] | None = None
    shared: CacheTierStats | None = None  # the Redis tier shared with other servers
    cluster: dict[str, Any] | None = None  # this server's id and its link to the shared tier
    timestamp: UtcTimestamp = Field(default_factory=utc_now)


class CacheAlertResponse(_Model):
    """The JSON view of one active :class:`~masterstream.monitoring.alerts.CacheAlert`."""

    id: str
    rule: str
    level: HealthStatus
    title: str
    description: str
    metric: str
    current_value: float
    threshold: float
    first_seen: UtcTimestamp
    last_seen: UtcTimestamp


class CacheHealthResponse(_Model):
    """Health of the cache: sizes against limits, hit rates, status and active alerts.

    Without a ``status`` (the seed's models had none), it is derived from the flags:
    healthy, else critical when a size limit is exceeded (as the monitor's size rules
    rate it), else warning. A given ``status`` must agree with ``healthy``."""

    healthy: StrictBool
    tier1_size_mb: SizeMb
    tier1_healthy: StrictBool
    tier2_size_mb: SizeMb
    tier2_healthy: StrictBool
    total_size_mb: SizeMb
    memory_healthy: StrictBool
    tier1_hit_rate: Rate
    overall_hit_rate: Rate
    timestamp: UtcTimestamp = Field(default_factory=utc_now)
    status: HealthStatus = HealthStatus.HEALTHY
    alerts: list[CacheAlertResponse] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _derive_status(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("status") is not None:
            return data
        if data.get("healthy") is True:
            return {**data, "status": HealthStatus.HEALTHY}
        if data.get("healthy") is not False:
            return data  # field validation reports the missing or invalid flag
        flags = ("tier1_healthy", "tier2_healthy", "memory_healthy")
        over_limit = any(data.get(flag) is False for flag in flags)
        return {**data, "status": HealthStatus.CRITICAL if over_limit else HealthStatus.WARNING}

    @model_validator(mode="after")
    def _healthy_matches_status(self) -> CacheHealthResponse:
        if self.healthy != (self.status is HealthStatus.HEALTHY):
            raise ValueError(f"healthy={self.healthy} contradicts status={self.status.value!r}")
        return self


class CacheAwareResponse(_Model, Generic[T]):
    """The envelope around any cached payload: data plus where it came from and how fast."""

    status: Literal["success", "error"] = "success"
    data: T
    cache_source: CacheSource
    cache_hit: StrictBool
    processing_time_ms: Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
    message: str | None = None
    timestamp: UtcTimestamp = Field(default_factory=utc_now)

    @model_validator(mode="after")
    def _hit_matches_source(self) -> CacheAwareResponse[Any]:
        if self.cache_hit != self.cache_source.is_hit:
            raise ValueError(
                f"cache_hit={self.cache_hit} contradicts cache_source="
                f"{self.cache_source.value!r} (a hit is any tier, never 'miss')"
            )
        return self
