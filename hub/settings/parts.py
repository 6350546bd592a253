"""The nested parts of the hub's settings: one source's overrides, query, rate and token limits.

Kept apart from `hub.settings` (which re-exports them) so that module stays
about the settings object itself.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class SourceSettings(BaseModel):
    """How to reach one source institution (overrides the simulator default)."""

    url: str = Field(description="Base URL (HTTP sources) or SQLAlchemy async URL (SQL sources).")
    credential: SecretStr | None = Field(
        default=None, description="Bearer credential the source expects, if any."
    )
    timeout_s: float | None = Field(
        default=None, gt=0, description="Per-call timeout; defaults to HUB_SOURCE_TIMEOUT_S."
    )
    retries: int | None = Field(
        default=None, ge=0, description="Retries of a failed call; defaults to HUB_SOURCE_RETRIES."
    )
    breaker_failures: int | None = Field(
        default=None,
        gt=0,
        description="Consecutive failed calls that open the breaker; "
        "defaults to HUB_BREAKER_FAILURES.",
    )
    breaker_cooldown_s: float | None = Field(
        default=None,
        ge=0,
        description="Seconds an open breaker waits before a trial call; "
        "defaults to HUB_BREAKER_COOLDOWN_S.",
    )


class OperationLimits(BaseModel):
    """Bounds on one operation's shape, checked before anything executes (OWASP GraphQL).

    The agencies' endpoint uses `QueryLimits` (these and a cost), the
    administrative endpoint these alone (HUB_ADMIN_LIMITS__...).
    """

    model_config = {"frozen": True}

    max_depth: int = Field(default=10, gt=0, description="Deepest nesting of fields.")
    max_aliases: int = Field(default=20, ge=0, description="Most aliases in a document.")
    max_tokens: int = Field(
        default=2000, gt=0, description="Most lexical tokens (and most comments) in a document."
    )
    max_root_fields: int = Field(
        default=5, gt=0, description="Most root fields an operation selects."
    )
    max_selections: int = Field(
        default=2000,
        gt=0,
        description="Most field selections in the document once every fragment spread is "
        "replaced by its fragment (23 fragments spreading the next one twice expand to 2^22).",
    )


class QueryLimits(OperationLimits):
    """The agencies' bounds: the operation's shape and its estimated cost."""

    max_cost: int = Field(
        default=5000,
        gt=0,
        description="Highest estimated cost: persons x information types, each type "
        "weighted by its source's cost (HUB_SOURCE_COSTS).",
    )


class LimitOverrides(BaseModel):
    """One agency's departures from HUB_LIMITS; unset values keep the default."""

    max_depth: int | None = Field(default=None, gt=0)
    max_aliases: int | None = Field(default=None, ge=0)
    max_tokens: int | None = Field(default=None, gt=0)
    max_root_fields: int | None = Field(default=None, gt=0)
    max_selections: int | None = Field(default=None, gt=0)
    max_cost: int | None = Field(default=None, gt=0)


class RateLimits(BaseModel):
    """Requests an agency and each of its officials may make; 0 switches a limit off.

    Counted in fixed windows (the minute, the UTC day) in Redis when
    HUB_REDIS_URL is set, else in the hub's database, so every worker process
    shares them.
    """

    model_config = {"frozen": True}

    agency_per_minute: int = Field(
        default=6000, ge=0, description="Requests per minute of one agency (all its officials)."
    )
    official_per_minute: int = Field(
        default=600, ge=0, description="Requests per minute of one official."
    )
    agency_per_day: int = Field(
        default=1_000_000, ge=0, description="Requests per UTC day of one agency (its quota)."
    )


class RateLimitOverrides(BaseModel):
    """One agency's departures from HUB_RATE_LIMITS; unset values keep the default."""

    agency_per_minute: int | None = Field(default=None, ge=0)
    official_per_minute: int | None = Field(default=None, ge=0)
    agency_per_day: int | None = Field(default=None, ge=0)


class TokenRateLimits(BaseModel):
    """Token requests (POST /oauth/token) one client id and one address may make; 0 switches off.

    Counted, like RateLimits, in fixed minute windows in Redis or the hub's
    database, before any client is loaded or any signature verified: each
    token request costs JWT parsing, a database read and signature checks.
    """

    model_config = {"frozen": True}

    per_client_per_minute: int = Field(
        default=600,
        ge=0,
        description="Token requests per minute naming one client id (in their assertions, "
        "unverified), whatever their outcome.",
    )
    per_address_per_minute: int = Field(
        default=1200,
        ge=0,
        description="Token requests per minute from one client IP address (the peer address, "
        "or the one a trusted proxy forwards), whatever their outcome.",
    )
