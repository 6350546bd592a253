"""Typed, documented settings, read from the environment (prefix `HUB_`).

Settings are built by the app factory and the CLI, never at import time, so
tests and several processes can run with different settings side by side.
Nested values use a double underscore: `HUB_SOURCES__NTS__URL=https://…`.
"""

from __future__ import annotations

import enum
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(enum.StrEnum):
    """Where the hub runs; production refuses unsafe settings."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class SourceSettings(BaseModel):
    """How to reach one source institution (overrides the simulator default)."""

    url: str = Field(description="Base URL (HTTP sources) or SQLAlchemy async URL (SQL sources).")
    credential: SecretStr | None = Field(
        default=None, description="Bearer credential the source expects, if any."
    )
    timeout_s: float | None = Field(
        default=None, gt=0, description="Per-call timeout; defaults to HUB_SOURCE_TIMEOUT_S."
    )


#: Hard cap on the lifetime of access tokens, whatever the settings say.
MAX_ACCESS_TOKEN_TTL_S = 600
#: Where `ssis-hub serve` listens by default: the public URL outside production.
DEV_PUBLIC_URL = "http://127.0.0.1:8000"


class UnsafeSettings(ValueError):
    """The settings would run production with development keys or debugging on."""


class Settings(BaseSettings):
    """All of the hub's configuration."""

    model_config = SettingsConfigDict(
        env_prefix="HUB_", env_nested_delimiter="__", extra="ignore", frozen=True
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
    token_signing_keys: SecretStr | None = Field(
        default=None,
        description="Private JWKS (JSON) of Ed25519 keys with `kid`s: the first signs "
        "access tokens, all verify them (rotate by putting a new key first and removing "
        "the old one once its tokens have expired); development generates one in data_dir.",
    )
    audit_signing_key: SecretStr | None = Field(
        default=None,
        description="Private JWK (JSON, Ed25519, with a `kid`) that signs the audit log's "
        "tree heads; development generates one in data_dir.",
    )
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
    access_token_ttl_s: int = Field(
        default=MAX_ACCESS_TOKEN_TTL_S,
        gt=0,
        le=MAX_ACCESS_TOKEN_TTL_S,
        description="Lifetime of access tokens from the token endpoint (at most 600 s).",
    )
    subject_hash_key: SecretStr | None = Field(
        default=None,
        description="Base64 key of the keyed hash that turns registration numbers "
        "into the hub's person ids.",
    )
    subject_encryption_keys: SecretStr | None = Field(
        default=None,
        description="JSON object {key id: base64 AES-256 key} for registration "
        "numbers at rest; the first entry encrypts, all decrypt.",
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
    source_max_connections: int = Field(
        default=50, gt=0, description="Connection pool bound per HTTP source."
    )
    source_batch_size: int = Field(
        default=500, gt=0, description="Most persons asked of a source in one call."
    )
    max_persons_per_request: int = Field(
        default=100, gt=0, description="Longest list `persons(rrns:)` accepts."
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

    @field_validator("sources", mode="after")
    @classmethod
    def _source_codes_upper(cls, value: dict[str, SourceSettings]) -> dict[str, SourceSettings]:
        # Environment names arrive lower-cased; source codes are upper-case.
        return {code.upper(): entry for code, entry in value.items()}

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment is not Environment.PRODUCTION:
            return self
        missing = [
            name
            for name in (
                "database_url",
                "public_url",
                "token_signing_keys",
                "audit_signing_key",
                "subject_hash_key",
                "subject_encryption_keys",
            )
            if getattr(self, name) is None
        ]
        if missing:
            raise UnsafeSettings(
                "production needs explicit keys and database, missing: "
                + ", ".join(f"HUB_{m.upper()}" for m in missing)
            )
        if not str(self.public_url).startswith("https://"):
            # The issuer identifier and the token endpoint's URL (RFC 8414).
            raise UnsafeSettings("production needs an https:// HUB_PUBLIC_URL")
        if (self.graphiql or self.introspection) and not self.allow_unsafe_production:
            raise UnsafeSettings(
                "production refuses GraphiQL or introspection unless "
                "HUB_ALLOW_UNSAFE_PRODUCTION=true"
            )
        return self

    @property
    def is_production(self) -> bool:
        """Whether the hub runs in production."""
        return self.environment is Environment.PRODUCTION

    @property
    def graphiql_enabled(self) -> bool:
        """GraphiQL is on in development unless switched off."""
        return self.graphiql if self.graphiql is not None else not self.is_production

    @property
    def introspection_enabled(self) -> bool:
        """Introspection is on in development unless switched off."""
        return self.introspection if self.introspection is not None else not self.is_production

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
