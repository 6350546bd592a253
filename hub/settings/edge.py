"""Settings of the hub's edge: header bounds, trusted proxies, the metrics endpoint.

Kept apart from the rest of `Settings` (which inherits them) because they
concern how the hub meets the network rather than what it does: what a
request's header section may be, whose forwarding headers are believed
(`X-Forwarded-For` ends up in the access log as the client address), and
who may read `/metrics`.
"""

from __future__ import annotations

import ipaddress

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class EdgeSettings(BaseSettings):
    """The edge's settings; `hub.settings.Settings` inherits them (same prefix, HUB_)."""

    # `Settings` repeats this; it is here so the fields never read unprefixed variables.
    model_config = SettingsConfigDict(env_prefix="HUB_", hide_input_in_errors=True)

    max_header_bytes: int = Field(
        default=16 * 1024,
        ge=1024,
        description="Largest request header section (all names and values) the hub "
        "accepts; 431 beyond. `ssis-hub serve` also bounds what the HTTP server buffers.",
    )
    max_header_count: int = Field(
        default=100, ge=10, description="Most request header fields; 431 beyond."
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks (CIDR) of the load balancers "
        "or reverse proxies in front of the hub: only their X-Forwarded-For and "
        "X-Forwarded-Proto are believed (the client address goes into the access log). "
        "Empty (the default): no forwarding header is believed, not even from loopback.",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token /metrics requires (`Authorization: Bearer <token>`); "
        "without it, and without a separate metrics port, production refuses to start "
        "unless HUB_METRICS_PUBLIC=true.",
    )
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="`ssis-hub serve` serves /metrics on this port of the same host "
        "instead of the public one (one worker process only: each process has its "
        "own registry).",
    )
    metrics_public: bool = Field(
        default=False,
        description="Serve /metrics on the public port without a token even in production "
        "(only where a network boundary keeps everyone but the monitoring out).",
    )

    @field_validator("trusted_proxies", mode="after")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        bad = []
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                bad.append(entry[:64])
        if bad:
            raise ValueError(
                "HUB_TRUSTED_PROXIES takes IP addresses or CIDR networks, not: " + ", ".join(bad)
            )
        return ",".join(entries)

    @property
    def trusted_proxy_list(self) -> list[str]:
        """The trusted proxies' addresses and networks (empty: trust none)."""
        return [entry for entry in self.trusted_proxies.split(",") if entry]
