"""Typed, documented settings, read from the environment (prefix `HUB_`).

Settings are built by the app factory and the CLI, never at import time, so
tests and several processes can run with different settings side by side.
Nested values use a double underscore: `HUB_SOURCES__NTS__URL=https://…`.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from hub.settings.console import ConsoleSettings, OIDCProvider
from hub.settings.edge import EdgeSettings
from hub.settings.keys import KeySettings
from hub.settings.parts import (
    LimitOverrides,
    OperationLimits,
    QueryLimits,
    RateLimitOverrides,
    RateLimits,
    SourceSettings,
    TokenRateLimits,
)


class Environment(enum.StrEnum):
    """Where the hub runs; production refuses unsafe settings."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


__all__ = [
    "DEV_PUBLIC_URL",
    "MAX_ACCESS_TOKEN_TTL_S",
    "ConsoleSettings",
    "Environment",
    "KeySettings",
    "LimitOverrides",
    "OIDCProvider",
    "OperationLimits",
    "QueryLimits",
    "RateLimitOverrides",
    "RateLimits",
    "Settings",
    "SourceSettings",
    "TokenRateLimits",
    "UnsafeSettings",
]


#: Hard cap on the lifetime of access tokens, whatever the settings say.
MAX_ACCESS_TOKEN_TTL_S = 600
#: Where `ssis-hub serve` listens by default: the public URL outside production.
DEV_PUBLIC_URL = "http://127.0.0.1:8000"


class UnsafeSettings(ValueError):
    """The settings would run production with development keys or debugging on."""


class Settings(KeySettings, EdgeSettings, ConsoleSettings):
    """All of the hub's configuration (keys in `KeySettings`, the edge in `EdgeSettings`, the
    console in `ConsoleSettings`)."""

    model_config = SettingsConfigDict(
        env_prefix="HUB_",
        env_nested_delimiter="__",
        extra="ignore",
        frozen=True,
        # A refusal must never echo what it refused: the input holds keys and passwords.
        hide_input_in_errors=True,
    )

    environment: Environment = Field(
        default=Environment.DEVELOPMENT, description="development, test or production."
    )
    data_dir: Path = Field(
        default=Path("var"),
        description="Where the embedded database and the development keys live.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL of the hub's own database; "
        "defaults to an SQLite file in data_dir.",
    )
    public_url: str | None = Field(
        default=None,
        description="Base URL agencies reach the hub at (https in production); the token "
        "endpoint's URL, the default issuer and the OAuth metadata derive from it. "
        f"Defaults to {DEV_PUBLIC_URL} outside production.",
    )
    issuer: str | None = Field(
        default=None,
        description="`iss` of the hub's access tokens and its OAuth2 issuer identifier; "
        "defaults to the public URL.",
    )
    audience: str = Field(default="ssis-hub", description="`aud` access tokens must carry.")
    audit_sign_interval_s: float = Field(
        default=60.0,
        gt=0,
        description="How often a running hub signs a new tree head when the log has grown.",
    )
    audit_retention_days: int = Field(
        default=5 * 365,
        gt=0,
        description="How long audit entries keep their content before `ssis-hub audit "
        "prune` reduces them to their leaf hash.",
    )
    replay_max_requests: int = Field(
        default=100_000,
        gt=0,
        le=10_000_000,
        description="The most recorded requests one replay of a proposed policy decides "
        "(the newest first); a report says when there were more.",
    )
    access_token_ttl_s: int = Field(
        default=MAX_ACCESS_TOKEN_TTL_S,
        gt=0,
        le=MAX_ACCESS_TOKEN_TTL_S,
        description="Lifetime of access tokens from the token endpoint (at most 600 s).",
    )
    simulator_url: str = Field(
        default="http://127.0.0.1:8100",
        description="Base URL of the simulated sources, used for every HTTP "
        "source without its own entry in `sources`.",
    )
    sql_source_url: str | None = Field(
        default=None,
        description="Database of the SQL source (SSIS benefit records); defaults "
        "to an SQLite file in data_dir.",
    )
    sources: dict[str, SourceSettings] = Field(
        default_factory=dict, description="Per-source overrides keyed by source code."
    )
    source_timeout_s: float = Field(default=2.0, gt=0, description="Default per-call timeout.")
    source_retries: int = Field(
        default=2,
        ge=0,
        description="Retries of a lookup after a transient failure (connection error, "
        "timeout, HTTP 500/502/503/504), all within the source's timeout.",
    )
    source_retry_backoff_s: float = Field(
        default=0.1,
        ge=0,
        description="Base of the exponential back-off between retries (full jitter, "
        "doubling per retry, at most 1 s).",
    )
    breaker_failures: int = Field(
        default=5,
        gt=0,
        description="Consecutive failed calls after which a source's breaker opens.",
    )
    breaker_cooldown_s: float = Field(
        default=30.0,
        ge=0,
        description="How long an open breaker refuses calls before letting one trial through.",
    )
    source_max_connections: int = Field(
        default=50, gt=0, description="Connection pool bound per HTTP source."
    )
    source_coalescing: bool = Field(
        default=True,
        description="Merge concurrent requests' lookups of one source that ask the same "
        "fields, within one turn of the event loop, into one call carrying every request's "
        "id (connectors/coalesce.py); off: one call per request and source.",
    )
    source_coalescing_window_ms: float = Field(
        default=10.0,
        ge=0,
        description="Once one source's lookups arrive on average less than this far apart, "
        "a new call waits this long for other requests' lookups to join (0: merge only "
        "within one loop turn). Lower rates are never delayed.",
    )
    source_batch_size: int = Field(
        default=500, gt=0, description="Most persons asked of a source in one call."
    )
    max_persons_per_request: int = Field(
        default=100, gt=0, description="Longest list `persons(rrns:)` accepts."
    )
    limits: QueryLimits = Field(
        default_factory=QueryLimits,
        description="Bounds on every operation (HUB_LIMITS__MAX_DEPTH, ...).",
    )
    admin_limits: OperationLimits = Field(
        default_factory=lambda: OperationLimits(max_root_fields=10),
        description="Bounds on every operation at /admin/graphql (HUB_ADMIN_LIMITS__...).",
    )
    agency_limits: dict[str, LimitOverrides] = Field(
        default_factory=dict,
        description="Per-agency overrides of `limits`, keyed by agency code "
        "(HUB_AGENCY_LIMITS__<CODE>__MAX_COST=...).",
    )
    rate_limits: RateLimits = Field(
        default_factory=RateLimits,
        description="Requests per minute and per day (HUB_RATE_LIMITS__OFFICIAL_PER_MINUTE, ...); "
        "over a limit the reply is a 429 with Retry-After.",
    )
    agency_rate_limits: dict[str, RateLimitOverrides] = Field(
        default_factory=dict,
        description="Per-agency overrides of `rate_limits`, keyed by agency code "
        "(HUB_AGENCY_RATE_LIMITS__<CODE>__AGENCY_PER_DAY=...).",
    )
    token_rate_limits: TokenRateLimits = Field(
        default_factory=TokenRateLimits,
        description="Token requests per minute per client id and per address "
        "(HUB_TOKEN_RATE_LIMITS__PER_CLIENT_PER_MINUTE, ...); over a limit the token "
        "endpoint answers 429 temporarily_unavailable with Retry-After.",
    )
    source_costs: dict[str, int] = Field(
        default_factory=dict,
        description="Cost weight of each source's information types in the cost "
        "estimate, keyed by source code; 1 when not listed (HUB_SOURCE_COSTS__NTS=2).",
    )
    assumed_household_size: int = Field(
        default=4,
        gt=0,
        description="Persons a household walk is assumed to reach per person, for the cost "
        "estimate.",
    )
    max_body_bytes: int = Field(
        default=64 * 1024, gt=0, description="Largest request body accepted (413 beyond)."
    )
    admin_max_body_bytes: int = Field(
        default=1024 * 1024,
        gt=0,
        description="Largest request body /admin/graphql accepts (policy documents are long).",
    )
    request_timeout_s: float = Field(
        default=10.0,
        gt=0,
        description="Longest an operation may execute; beyond it the reply is a 504 with no data.",
    )
    mask_errors: bool | None = Field(
        default=None,
        description="Mask unexpected errors and drop field suggestions; defaults to on "
        "in production.",
    )
    policy_refresh_s: float = Field(
        default=5.0,
        ge=0,
        description="How often a running hub re-reads the active policy version.",
    )
    graphiql: bool | None = Field(
        default=None, description="Serve GraphiQL; defaults to on outside production."
    )
    introspection: bool | None = Field(
        default=None, description="Allow introspection; defaults to on outside production."
    )
    allow_unsafe_production: bool = Field(
        default=False,
        description="Let production start with GraphiQL or introspection enabled.",
    )
    debug: bool = Field(
        default=False,
        description="Starlette's debug mode (tracebacks in error replies) and asyncio's "
        "debug checks; production refuses it.",
    )
    redis_url: SecretStr | None = Field(
        default=None,
        description="Redis (redis://host:port/db) that counts rate limits and quotas; "
        "when unset they are counted in the hub's database.",
    )
    trusted_document_agencies: list[str] | None = Field(
        default=None,
        description='Agencies (codes, or "*" for all) that may run only trusted documents: '
        "operations registered by hash and approved by a privacy officer. Defaults to all "
        "agencies in production and none elsewhere.",
    )

    @field_validator("sources", mode="after")
    @classmethod
    def _source_codes_upper(cls, value: dict[str, SourceSettings]) -> dict[str, SourceSettings]:
        # Environment names arrive lower-cased; source codes are upper-case.
        return {code.upper(): entry for code, entry in value.items()}

    @field_validator("agency_limits", "agency_rate_limits", "source_costs", mode="after")
    @classmethod
    def _codes_upper(cls, value: dict[str, Any]) -> dict[str, Any]:
        return {code.upper(): entry for code, entry in value.items()}

    @field_validator("trusted_document_agencies", mode="after")
    @classmethod
    def _agency_codes_upper(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else sorted({code.strip().upper() for code in value})

    @field_validator("source_costs", mode="after")
    @classmethod
    def _costs_positive(cls, value: dict[str, int]) -> dict[str, int]:
        bad = sorted(code for code, cost in value.items() if cost < 1)
        if bad:
            raise ValueError(f"source costs must be at least 1: {', '.join(bad)}")
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment is Environment.PRODUCTION:
            # Imported here: hub.settings.production reads Settings' fields and imports this module.
            from hub.settings.production import refuse_unsafe_production

            refuse_unsafe_production(self)
        return self

    def trusted_documents_required(self, agency: str) -> bool:
        """Whether `agency` may run only registered, approved documents."""
        agencies = self.trusted_document_agencies
        if agencies is None:
            return self.is_production
        return "*" in agencies or agency.upper() in agencies

    @property
    def is_production(self) -> bool:
        """Whether the hub runs in production."""
        return self.environment is Environment.PRODUCTION

    @property
    def console_dev_sign_in_enabled(self) -> bool:
        """The console's development sign-in is on outside production unless switched off."""
        if self.console_dev_sign_in is not None:
            return self.console_dev_sign_in
        return not self.is_production

    @property
    def graphiql_enabled(self) -> bool:
        """GraphiQL is on in development unless switched off."""
        return self.graphiql if self.graphiql is not None else not self.is_production

    @property
    def introspection_enabled(self) -> bool:
        """Introspection is on in development unless switched off."""
        return self.introspection if self.introspection is not None else not self.is_production

    @property
    def mask_errors_enabled(self) -> bool:
        """Error masking is on in production unless switched off."""
        return self.mask_errors if self.mask_errors is not None else self.is_production

    def limits_for(self, agency: str) -> QueryLimits:
        """The limits that apply to `agency`'s operations: the defaults and its overrides."""
        overrides = self.agency_limits.get(agency.upper())
        if overrides is None:
            return self.limits
        return self.limits.model_copy(update=overrides.model_dump(exclude_none=True))

    def rate_limits_for(self, agency: str) -> RateLimits:
        """The rate limits that apply to `agency`: the defaults and its overrides."""
        overrides = self.agency_rate_limits.get(agency.upper())
        if overrides is None:
            return self.rate_limits
        return self.rate_limits.model_copy(update=overrides.model_dump(exclude_none=True))

    def source_cost(self, code: str) -> int:
        """The cost weight of one source's information types (1 unless configured)."""
        return self.source_costs.get(code, 1)

    @property
    def effective_public_url(self) -> str:
        """The hub's base URL without a trailing slash (a loopback URL in development)."""
        return (self.public_url or DEV_PUBLIC_URL).rstrip("/")

    @property
    def effective_issuer(self) -> str:
        """The issuer identifier: the setting, else the public URL (RFC 8414)."""
        return self.issuer or self.effective_public_url

    @property
    def effective_database_url(self) -> str:
        """The hub's database URL, defaulting to an SQLite file in data_dir."""
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'hub.db'}"

    @property
    def effective_sql_source_url(self) -> str:
        """The SQL source's URL, defaulting to an SQLite file in data_dir."""
        return self.sql_source_url or f"sqlite+aiosqlite:///{self.data_dir / 'ssis-source.db'}"

    def source(self, code: str, *, sql: bool = False) -> SourceSettings:
        """Where and how to reach source `code`."""
        if code in self.sources:
            return self.sources[code]
        if sql:
            return SourceSettings(url=self.effective_sql_source_url)
        return SourceSettings(url=f"{self.simulator_url.rstrip('/')}/sources/{code}")

    def source_timeout(self, code: str, *, sql: bool = False) -> float:
        """The per-call timeout for source `code`."""
        return self.source(code, sql=sql).timeout_s or self.source_timeout_s

    def retries_for(self, code: str, *, sql: bool = False) -> int:
        """How many times a failed call to source `code` may be retried."""
        own = self.source(code, sql=sql).retries
        return self.source_retries if own is None else own

    def breaker_failures_for(self, code: str, *, sql: bool = False) -> int:
        """Consecutive failures that open source `code`'s breaker."""
        own = self.source(code, sql=sql).breaker_failures
        return self.breaker_failures if own is None else own

    def breaker_cooldown_for(self, code: str, *, sql: bool = False) -> float:
        """How long source `code`'s open breaker waits before a trial call."""
        own = self.source(code, sql=sql).breaker_cooldown_s
        return self.breaker_cooldown_s if own is None else own
