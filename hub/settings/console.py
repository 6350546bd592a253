"""The console's settings (`/console`): sessions, development sign-in, OpenID Connect providers.

Kept apart from `hub.settings` (whose `Settings` inherits them) so that
module stays about the hub's API. The claim mapping is documented in
docs/console.md; `hub.console.claims` applies it.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The console roles an identity provider's role claim may map to (`hub.auth.roles.Role`
#: values; the citizen signs in through a provider of their own).
OFFICIAL_ROLES = ("privacy_officer", "auditor", "consent_manager")

#: Default idle timeout: a console left alone this long must sign in again.
DEFAULT_IDLE_TIMEOUT_S = 15 * 60
#: Default absolute lifetime of a console session, however active.
DEFAULT_SESSION_LIFETIME_S = 8 * 3600


class OIDCProvider(BaseModel):
    """One OpenID Connect provider the console signs people in with (authorization code + PKCE).

    Officials' providers give the role and the official id in claims;
    the citizens' provider gives the person's registration number.
    """

    metadata_url: str = Field(
        description="The provider's discovery document "
        "(https://idp.example/realms/x/.well-known/openid-configuration)."
    )
    client_id: str = Field(min_length=1, description="The console's client id at the provider.")
    client_secret: SecretStr | None = Field(
        default=None,
        description="The console's client secret (client_secret_basic); without one the "
        "console is a public client and relies on PKCE alone.",
    )
    scopes: str = Field(default="openid", description="Scopes requested; must include openid.")
    name: str = Field(
        default="your organisation's sign-in",
        description="What the sign-in button calls the provider.",
    )
    role_claim: str = Field(
        default="hub_role",
        description="Claim of the ID token (or userinfo) holding the official's hub role: a "
        "string or a list of strings, mapped through role_values.",
    )
    role_values: dict[str, str] = Field(
        default_factory=lambda: {role: role for role in OFFICIAL_ROLES},
        description="The provider's role values → hub roles (privacy_officer, auditor, "
        "consent_manager); values not listed grant nothing.",
    )
    official_claim: str = Field(
        default="hub_official_id",
        description="Claim holding the official's personal id (1-64 letters, digits or ._@-).",
    )
    citizen_claim: str = Field(
        default="rrn",
        description="For the citizens' provider: the claim holding the person's resident "
        "registration number.",
    )

    @field_validator("scopes")
    @classmethod
    def _openid_scope(cls, value: str) -> str:
        if "openid" not in value.split():
            raise ValueError("the scopes must include openid")
        return value

    @field_validator("role_values")
    @classmethod
    def _known_roles(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted({role for role in value.values() if role not in OFFICIAL_ROLES})
        if unknown:
            raise ValueError(
                f"role_values map to unknown roles {', '.join(unknown)} "
                f"(known: {', '.join(OFFICIAL_ROLES)})"
            )
        return value


class ConsoleSettings(BaseSettings):
    """Settings of the console at /console (`Settings` inherits them)."""

    # `Settings` repeats this; it is here so the fields never read unprefixed variables.
    model_config = SettingsConfigDict(
        env_prefix="HUB_", env_nested_delimiter="__", hide_input_in_errors=True
    )

    console_idle_timeout_s: float = Field(
        default=DEFAULT_IDLE_TIMEOUT_S,
        gt=0,
        description="A console session unused this long ends: sign in again.",
    )
    console_session_lifetime_s: float = Field(
        default=DEFAULT_SESSION_LIFETIME_S,
        gt=0,
        description="A console session ends this long after sign-in, however active.",
    )
    console_dev_sign_in: bool | None = Field(
        default=None,
        description="The development sign-in (pick a role and an official id, or a "
        "registration number); defaults to on outside production, which refuses it.",
    )
    console_oidc: OIDCProvider | None = Field(
        default=None,
        description="The officials' OpenID Connect provider "
        "(HUB_CONSOLE_OIDC__METADATA_URL, __CLIENT_ID, __CLIENT_SECRET, ...).",
    )
    console_citizen_oidc: OIDCProvider | None = Field(
        default=None,
        description="The citizens' OpenID Connect provider (HUB_CONSOLE_CITIZEN_OIDC__...).",
    )
