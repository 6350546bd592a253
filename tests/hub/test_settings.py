import base64
import json
import secrets
from pathlib import Path

import pytest
from pydantic import ValidationError

from hub.keys import load_keys
from hub.settings import Environment, Settings, UnsafeSettings

#: A password no list of defaults holds (the production fixtures' database password).
GOOD_PASSWORD = "tK9-vq2Lr8wZ"


def test_development_defaults_are_embedded(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    assert settings.effective_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.graphiql_enabled and settings.introspection_enabled
    assert settings.source("NTS").url == "http://127.0.0.1:8100/sources/NTS"


def test_source_override_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_SOURCES__NTS__URL", "https://nts.example/api")
    monkeypatch.setenv("HUB_SOURCES__NTS__TIMEOUT_S", "0.5")
    settings = Settings()
    assert settings.source("NTS").url == "https://nts.example/api"
    assert settings.source_timeout("NTS") == 0.5
    assert settings.source_timeout("NPS") == settings.source_timeout_s


def test_production_refuses_missing_keys() -> None:
    with pytest.raises(ValidationError, match="HUB_PUBLIC_URL, HUB_TOKEN_SIGNING_KEYS"):
        Settings(environment=Environment.PRODUCTION, database_url="sqlite+aiosqlite:///x")


def _production(data_dir: Path, **extra: object) -> Settings:
    load_keys(Settings(data_dir=data_dir))
    dev_file = json.loads((data_dir / "dev-keys.json").read_text())
    values: dict[str, object] = {
        "environment": Environment.PRODUCTION,
        "database_url": f"postgresql+asyncpg://hub:{GOOD_PASSWORD}@db/hub",
        "public_url": "https://hub.example",
        "token_signing_keys": json.dumps({"keys": [dev_file["token_signing_key"]]}),
        "subject_hash_key": dev_file["subject_hash_key"],
        "subject_encryption_keys": json.dumps(dev_file["subject_encryption_keys"]),
        "audit_signing_key": json.dumps(dev_file["audit_signing_key"]),
        "data_dir": data_dir,
        "metrics_token": "a-metrics-token-for-the-monitoring",
    }
    values.update(extra)
    return Settings(**values)  # type: ignore[arg-type]


def test_production_refuses_development_keys(data_dir: Path) -> None:
    with pytest.raises(UnsafeSettings, match="development keys"):
        load_keys(_production(data_dir))


def test_production_refuses_graphiql_unless_asked(data_dir: Path) -> None:
    with pytest.raises(ValidationError, match="GraphiQL or introspection"):
        _production(data_dir, graphiql=True)
    assert _production(data_dir, graphiql=True, allow_unsafe_production=True).graphiql_enabled
    assert not _production(data_dir).introspection_enabled


def test_production_needs_an_https_public_url(data_dir: Path) -> None:
    with pytest.raises(ValidationError, match="https:// HUB_PUBLIC_URL"):
        _production(data_dir, public_url="http://hub.example")
    assert _production(data_dir).effective_issuer == "https://hub.example"


def test_production_refuses_a_development_audit_key(data_dir: Path) -> None:
    from joserfc.jwk import OKPKey

    # Every other key is a production key; only the audit key is a dev- one.
    good = OKPKey.generate_key("Ed25519", parameters={"kid": "prod-1"}).as_dict(private=True)
    settings = _production(
        data_dir,
        token_signing_keys=json.dumps({"keys": [good]}),
        subject_encryption_keys=json.dumps({"k1": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}),
    )
    with pytest.raises(UnsafeSettings, match="dev-audit"):
        load_keys(settings)


def test_production_masks_errors_by_default(data_dir: Path) -> None:
    assert _production(data_dir).mask_errors_enabled
    assert not _production(data_dir, mask_errors=False).mask_errors_enabled
    assert not Settings(data_dir=data_dir).mask_errors_enabled


def test_limits_per_agency_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_LIMITS__MAX_DEPTH", "8")
    monkeypatch.setenv("HUB_AGENCY_LIMITS__LOCAL_WELFARE__MAX_COST", "70")
    monkeypatch.setenv("HUB_SOURCE_COSTS__NTS", "3")
    settings = Settings()
    assert settings.limits_for("LOCAL_WELFARE").max_cost == 70
    assert settings.limits_for("LOCAL_WELFARE").max_depth == 8
    assert settings.limits_for("NPS").max_cost == 5000
    assert (settings.source_cost("NTS"), settings.source_cost("NPS")) == (3, 1)
    with pytest.raises(ValidationError, match="at least 1"):
        Settings(source_costs={"NTS": 0})


def test_fault_handling_defaults_and_per_source_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_SOURCE_RETRIES", "1")
    monkeypatch.setenv("HUB_BREAKER_FAILURES", "3")
    monkeypatch.setenv("HUB_BREAKER_COOLDOWN_S", "2.5")
    monkeypatch.setenv("HUB_SOURCES__NTS__URL", "https://nts.example/api")
    monkeypatch.setenv("HUB_SOURCES__NTS__RETRIES", "0")
    monkeypatch.setenv("HUB_SOURCES__NTS__BREAKER_FAILURES", "10")
    monkeypatch.setenv("HUB_SOURCES__NTS__BREAKER_COOLDOWN_S", "0")
    settings = Settings()
    assert (settings.retries_for("NPS"), settings.retries_for("NTS")) == (1, 0)
    assert (settings.breaker_failures_for("NPS"), settings.breaker_failures_for("NTS")) == (3, 10)
    assert (settings.breaker_cooldown_for("NPS"), settings.breaker_cooldown_for("NTS")) == (2.5, 0)


def test_production_refuses_debug(data_dir: Path) -> None:
    with pytest.raises(ValidationError, match="HUB_DEBUG"):
        _production(data_dir, debug=True)
    # Not even with the unsafe switch: tracebacks would leave with the replies.
    with pytest.raises(ValidationError, match="HUB_DEBUG"):
        _production(data_dir, debug=True, allow_unsafe_production=True)
    assert Settings(data_dir=data_dir, debug=True).debug


@pytest.mark.parametrize(
    ("setting", "url"),
    [
        ("HUB_DATABASE_URL", "postgresql+asyncpg://hub@db/hub"),
        ("HUB_DATABASE_URL", "postgresql+asyncpg://hub:@db/hub"),
        ("HUB_SQL_SOURCE_URL", "postgresql+asyncpg://ssis@db.ssis/benefits"),
        ("HUB_REDIS_URL", "redis://redis.internal:6379/0"),
        ("HUB_REDIS_URL", "rediss://default:@redis.internal:6379/0"),
    ],
)
def test_production_refuses_server_urls_without_a_password(
    data_dir: Path, setting: str, url: str
) -> None:
    name = setting.removeprefix("HUB_").lower()
    with pytest.raises(ValidationError, match=f"{setting} without a password"):
        _production(data_dir, **{name: url})


@pytest.mark.parametrize(
    "password", ["postgres", "Password", "CHANGEME", "secret", "admin", "root", "ssis", "hub"]
)
@pytest.mark.parametrize("name", ["database_url", "sql_source_url", "redis_url"])
def test_production_refuses_well_known_passwords(data_dir: Path, name: str, password: str) -> None:
    url = (
        f"redis://default:{password}@redis.internal:6379/0"
        if name == "redis_url"
        else f"postgresql+asyncpg://svc:{password}@db/hub"
    )
    with pytest.raises(ValidationError, match="well-known default") as raised:
        _production(data_dir, **{name: url})
    # The validator's own message (pydantic's str() of the error also shows
    # the input unless the model hides it: see hide_input_in_errors).
    message = raised.value.errors()[0]["msg"]
    assert f"HUB_{name.upper()}" in message
    # The message names the setting, never the URL or its password.
    assert password not in message
    assert "svc" not in message and "redis.internal" not in message


def test_production_refuses_a_password_equal_to_the_user(data_dir: Path) -> None:
    with pytest.raises(ValidationError, match="HUB_DATABASE_URL: its password is a well-known"):
        _production(data_dir, database_url="postgresql+asyncpg://Ministry:ministry@db/hub")


def test_production_accepts_strong_passwords_and_local_sockets(data_dir: Path) -> None:
    settings = _production(
        data_dir,
        redis_url=f"rediss://default:{GOOD_PASSWORD}@redis.internal:6380/0",
        sql_source_url=f"postgresql+asyncpg://ssis:{GOOD_PASSWORD}@db.ssis/benefits",
    )
    assert settings.redis_url is not None
    # Unix sockets: the server authenticates the peer, no password to check.
    _production(data_dir, database_url="postgresql+asyncpg://hub@/hub?host=/run/postgresql")
    _production(data_dir, redis_url="unix:///run/redis/redis.sock?db=0")


def test_production_needs_postgresql_unless_allowed(data_dir: Path) -> None:
    sqlite = f"sqlite+aiosqlite:///{data_dir / 'hub.db'}"
    with pytest.raises(ValidationError, match="PostgreSQL HUB_DATABASE_URL, not SQLite"):
        _production(data_dir, database_url=sqlite)
    assert _production(data_dir, database_url=sqlite, allow_unsafe_production=True).database_url
    # The SQL source is a ministry's database: SQLite there is not refused.
    assert _production(data_dir, sql_source_url=sqlite).sql_source_url == sqlite


def test_production_refusals_never_print_the_url(data_dir: Path) -> None:
    url = "postgresql+asyncpg://hub:[broken@db:notaport/hub"
    with pytest.raises(ValidationError) as raised:
        _production(data_dir, database_url=url)
    message = raised.value.errors()[0]["msg"]
    assert "HUB_DATABASE_URL" in message
    assert "broken" not in message


def _production_keys(data_dir: Path, **extra: object) -> Settings:
    """Production settings whose keys are all production keys unless `extra` says otherwise."""
    from joserfc.jwk import OKPKey

    token = OKPKey.generate_key("Ed25519", parameters={"kid": "prod-1"}).as_dict(private=True)
    audit = OKPKey.generate_key("Ed25519", parameters={"kid": "audit-1"}).as_dict(private=True)
    values: dict[str, object] = {
        "token_signing_keys": json.dumps({"keys": [token]}),
        "subject_hash_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        "subject_encryption_keys": json.dumps({"k1": base64.b64encode(bytes(32)).decode()}),
        "audit_signing_key": json.dumps(audit),
    }
    values.update(extra)
    return _production(data_dir, **values)


def test_production_keys_pass(data_dir: Path) -> None:
    # The helper's keys are accepted, so each refusal below is caused by its one dev key.
    assert load_keys(_production_keys(data_dir)).active_encryption_kid == "k1"


def test_refused_development_keys_name_their_setting_never_the_value(data_dir: Path) -> None:
    secret = base64.b64encode(bytes(range(32))).decode()
    settings = _production_keys(data_dir, subject_encryption_keys=json.dumps({"dev-1": secret}))
    with pytest.raises(UnsafeSettings) as raised:
        load_keys(settings)
    message = str(raised.value)
    assert "HUB_SUBJECT_ENCRYPTION_KEYS (key id dev-1)" in message
    assert "HUB_TOKEN_SIGNING_KEYS" not in message and "HUB_SUBJECT_HASH_KEY" not in message
    assert secret not in message


def test_every_development_key_is_named_with_its_setting(data_dir: Path) -> None:
    with pytest.raises(UnsafeSettings) as raised:
        load_keys(_production(data_dir))
    message = str(raised.value)
    for setting in (
        "HUB_TOKEN_SIGNING_KEYS",
        "HUB_SUBJECT_HASH_KEY",
        "HUB_SUBJECT_ENCRYPTION_KEYS",
        "HUB_AUDIT_SIGNING_KEY",
    ):
        assert setting in message
    dev_file = json.loads((data_dir / "dev-keys.json").read_text())
    assert dev_file["subject_hash_key"] not in message


def test_production_refuses_a_marked_development_hash_key(tmp_path: Path) -> None:
    from hub.keys import is_development_hash_key, new_development_hash_key

    marked = new_development_hash_key()
    assert is_development_hash_key(marked)
    assert not is_development_hash_key(secrets.token_bytes(32))
    # No development key file anywhere near: the mark alone gives it away.
    settings = _production_keys(
        tmp_path / "prod", subject_hash_key=base64.b64encode(marked).decode()
    )
    with pytest.raises(UnsafeSettings, match=r"HUB_SUBJECT_HASH_KEY \(a key generated for dev"):
        load_keys(settings)


def test_production_refuses_the_hash_key_of_an_older_unmarked_dev_key_file(
    data_dir: Path,
) -> None:
    # A key file written before development hash keys were marked.
    load_keys(Settings(data_dir=data_dir))
    path = data_dir / "dev-keys.json"
    unmarked = base64.b64encode(secrets.token_bytes(32)).decode()
    path.write_text(json.dumps({**json.loads(path.read_text()), "subject_hash_key": unmarked}))
    with pytest.raises(UnsafeSettings, match="HUB_SUBJECT_HASH_KEY"):
        load_keys(_production_keys(data_dir, subject_hash_key=unmarked))


def test_development_generates_marked_hash_keys(data_dir: Path) -> None:
    from hub.keys import is_development_hash_key

    assert is_development_hash_key(load_keys(Settings(data_dir=data_dir)).subject_hash_key)


@pytest.mark.parametrize(
    ("switch", "named"),
    [
        ({"graphiql": True}, "HUB_GRAPHIQL=true"),
        ({"introspection": True}, "HUB_INTROSPECTION=true"),
        ({"graphiql": True, "introspection": True}, "HUB_GRAPHIQL=true and HUB_INTROSPECTION"),
    ],
)
def test_graphiql_and_introspection_refusals_name_the_settings(
    data_dir: Path, switch: dict[str, bool], named: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        _production(data_dir, **switch)
    message = raised.value.errors()[0]["msg"]
    assert named in message
    assert "unless HUB_ALLOW_UNSAFE_PRODUCTION=true" in message
    if "introspection" not in switch:
        assert "HUB_INTROSPECTION" not in message


def test_malformed_key_settings_name_the_setting(data_dir: Path) -> None:
    for setting, bad in (
        ("subject_encryption_keys", "{not json"),
        ("subject_encryption_keys", json.dumps({"k1": "!!!"})),
        ("audit_signing_key", "{not json"),
    ):
        with pytest.raises(UnsafeSettings, match=f"HUB_{setting.upper()}"):
            load_keys(_production_keys(data_dir, **{setting: bad}))
