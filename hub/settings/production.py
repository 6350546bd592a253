"""What production refuses to start with: development keys, default secrets, debugging.

Called by `Settings`' validator when HUB_ENVIRONMENT=production, so an unsafe
configuration never gets as far as opening a socket. Messages name the
setting and never its value: the value may be the very secret at fault.
"""

from __future__ import annotations

from urllib.parse import SplitResult, parse_qs, urlsplit

from hub.settings import Settings, UnsafeSettings

#: Passwords too well known to protect a production database or Redis
#: (compared case-insensitively; a password equal to the user name is refused too).
DEFAULT_PASSWORDS = frozenset(
    {
        "postgres",
        "postgresql",
        "password",
        "passw0rd",
        "password1",
        "pass",
        "changeme",
        "change_me",
        "change-me",
        "secret",
        "admin",
        "root",
        "ssis",
        "hub",
        "ssis_hub",
        "ssis-hub",
        "ssishub",
        "test",
        "default",
        "redis",
        "guest",
        "user",
        "example",
        "letmein",
        "qwerty",
        "123456",
        "12345678",
    }
)

_REQUIRED = (
    "database_url",
    "public_url",
    "token_signing_keys",
    "subject_hash_key",
    "subject_encryption_keys",
)


def refuse_unsafe_production(settings: Settings) -> None:
    """Raise UnsafeSettings naming the first thing production must not run with."""
    missing = [f"HUB_{name.upper()}" for name in _REQUIRED if getattr(settings, name) is None]
    if settings.audit_signing_keys is None and settings.audit_signing_key is None:
        missing.append("HUB_AUDIT_SIGNING_KEYS (or HUB_AUDIT_SIGNING_KEY)")
    if missing:
        raise UnsafeSettings(
            "production needs explicit keys and database, missing: " + ", ".join(missing)
        )
    if not str(settings.public_url).startswith("https://"):
        # The issuer identifier and the token endpoint's URL (RFC 8414).
        raise UnsafeSettings("production needs an https:// HUB_PUBLIC_URL")
    # Both default to off in production, so whichever is on was switched on explicitly.
    switched_on = [
        setting
        for setting, on in (
            ("HUB_GRAPHIQL", settings.graphiql),
            ("HUB_INTROSPECTION", settings.introspection),
        )
        if on
    ]
    if switched_on and not settings.allow_unsafe_production:
        raise UnsafeSettings(
            f"production refuses {' and '.join(f'{s}=true' for s in switched_on)} "
            "(GraphiQL or introspection) unless HUB_ALLOW_UNSAFE_PRODUCTION=true allows it"
        )
    _refuse_unsafe_console(settings)
    if settings.debug:
        # Tracebacks in error replies would show code, paths and data.
        raise UnsafeSettings("production refuses HUB_DEBUG=true")
    if (
        settings.metrics_token is None
        and settings.metrics_port is None
        and not (settings.metrics_public)
    ):
        # Source names, error rates and request volumes are for the operators only.
        raise UnsafeSettings(
            "production refuses /metrics on the public port without protection: set "
            "HUB_METRICS_TOKEN or HUB_METRICS_PORT (or HUB_METRICS_PUBLIC=true behind a "
            "network boundary)"
        )
    redis_url = settings.redis_url.get_secret_value() if settings.redis_url is not None else None
    for name, url in (
        ("database_url", settings.database_url),
        ("sql_source_url", settings.sql_source_url),
        ("redis_url", redis_url),
    ):
        if url is not None:
            _refuse_weak_url(settings, name, url)


def _refuse_unsafe_console(settings: Settings) -> None:
    # Like `ssis-hub dev-token`: anyone could sign in as anyone.
    if settings.console_dev_sign_in:
        raise UnsafeSettings(
            "production refuses HUB_CONSOLE_DEV_SIGN_IN=true (the console's development "
            "sign-in lets anyone pick a role and an official id)"
        )
    for setting, provider in (
        ("HUB_CONSOLE_OIDC__METADATA_URL", settings.console_oidc),
        ("HUB_CONSOLE_CITIZEN_OIDC__METADATA_URL", settings.console_citizen_oidc),
    ):
        if provider is not None and not provider.metadata_url.startswith("https://"):
            # The discovery document names the keys that sign the ID tokens.
            raise UnsafeSettings(f"production needs an https:// {setting}")


def _refuse_weak_url(settings: Settings, name: str, url: str) -> None:
    setting = f"HUB_{name.upper()}"
    try:
        parts = urlsplit(url)
        password = parts.password
        hostname = parts.hostname
    except ValueError:
        # Never echo the URL: it may hold the very secret being checked.
        raise UnsafeSettings(f"production cannot parse {setting}") from None
    scheme = parts.scheme.lower()
    if scheme.startswith("sqlite"):
        # An embedded file: no password to check, but one host's disk and
        # one writer; the hub's own database must be a server.
        if name == "database_url" and not settings.allow_unsafe_production:
            raise UnsafeSettings(
                f"production needs a PostgreSQL {setting}, not SQLite, unless "
                "HUB_ALLOW_UNSAFE_PRODUCTION=true"
            )
        return
    if scheme.startswith("unix") or _socket_host(parts) or not hostname:
        # A local socket: the server authenticates the peer's user.
        return
    if not password:
        raise UnsafeSettings(f"production refuses {setting} without a password")
    user = parts.username
    if password.lower() in DEFAULT_PASSWORDS or (
        user is not None and password.lower() == user.lower()
    ):
        raise UnsafeSettings(f"production refuses {setting}: its password is a well-known default")


def _socket_host(parts: SplitResult) -> bool:
    return any(host.startswith("/") for host in parse_qs(parts.query).get("host", []))
