"""Signing in through OpenID Connect against the loopback provider: code + PKCE, state, nonce."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from hub.db.session import Database
from hub.settings import OIDCProvider as ProviderSettings
from simulator.population import Population
from tests.hub.admin.audit_helpers import access
from tests.hub.console.conftest import Console
from tests.hub.console.oidc_provider import CLIENT_ID, CLIENT_SECRET, OIDCProvider
from tests.schema.conftest import HubFactory

PUBLIC_URL = "http://hub.test"
OFFICER_CLAIMS = {"sub": "u-17", "hub_role": ["privacy_officer"], "hub_official_id": "lee.17"}


@pytest.fixture(scope="module")
def provider() -> Iterator[OIDCProvider]:
    with OIDCProvider() as running:
        running.state.redirect_uris = {
            f"{PUBLIC_URL}/console/sign-in/oidc/staff/callback",
            f"{PUBLIC_URL}/console/sign-in/oidc/citizen/callback",
        }
        yield running


@pytest.fixture
async def console(database: Database, hub_factory: HubFactory, provider: OIDCProvider) -> Console:
    configured: dict[str, Any] = {
        "metadata_url": provider.metadata_url,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    provider.state.forge = False
    hub = await hub_factory(
        database,
        policy="database",
        public_url=PUBLIC_URL,
        console_dev_sign_in=False,
        console_oidc=ProviderSettings(**configured, name="the ministry's sign-in"),
        console_citizen_oidc=ProviderSettings(**configured, name="simple authentication"),
    )
    return Console(hub)


async def _at_provider(location: str) -> httpx.Response:
    async with httpx.AsyncClient() as browser_elsewhere:
        return await browser_elsewhere.get(location)


async def _sign_in(console: Console, key: str = "staff") -> httpx.Response:
    """Start at the hub, sign in at the provider, come back: the callback's answer."""
    start = await console.client.get(f"/console/sign-in/oidc/{key}")
    assert start.status_code == 302, start.text
    at_provider = await _at_provider(start.headers["location"])
    assert at_provider.status_code == 302, at_provider.text
    callback = at_provider.headers["location"]
    assert callback.startswith(f"{PUBLIC_URL}/console/sign-in/oidc/{key}/callback?")
    return await console.client.get(callback.removeprefix(PUBLIC_URL))


async def test_an_officer_signs_in_with_pkce_state_and_nonce(
    console: Console, provider: OIDCProvider
) -> None:
    page = await console.client.get("/console/sign-in")
    assert "Sign in with the ministry&#39;s sign-in" in page.text
    provider.sign_in_as(**OFFICER_CLAIMS)
    answer = await _sign_in(console)
    assert answer.status_code == 200, answer.text
    assert '<meta http-equiv="refresh" content="0; url=/console/officer/">' in answer.text
    asked = provider.state.authorize_requests[-1]
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert asked["state"] and asked["nonce"] and "code_verifier" not in asked
    home = await console.client.get("/console/officer/")
    assert home.status_code == 200
    assert "lee.17" in home.text and "Privacy officer" in home.text
    assert (await console.client.get("/console/auditor/")).status_code == 403


async def test_a_citizen_signs_in_and_sees_their_report(
    console: Console, provider: OIDCProvider, population: Population
) -> None:
    rrn = population.sample_rrns(1)[0]
    await access(console.hub, rrn)
    provider.sign_in_as(sub="c-1", rrn=rrn)
    answer = await _sign_in(console, "citizen")
    assert "url=/console/citizen/" in answer.text
    report = await console.client.get("/console/citizen/")
    assert "1 use of your data" in report.text


async def test_a_callback_in_another_browser_is_refused(
    console: Console, provider: OIDCProvider
) -> None:
    provider.sign_in_as(**OFFICER_CLAIMS)
    start = await console.client.get("/console/sign-in/oidc/staff")
    at_provider = await _at_provider(start.headers["location"])
    # The attacker's callback URL, opened in the victim's browser (no sign-in cookie).
    console.client.cookies.clear()
    answer = await console.client.get(at_provider.headers["location"].removeprefix(PUBLIC_URL))
    assert answer.status_code == 400
    assert "was not started in this browser" in answer.text
    assert (await console.client.get("/console/officer/")).status_code == 303


async def test_a_callback_is_used_once(console: Console, provider: OIDCProvider) -> None:
    provider.sign_in_as(**OFFICER_CLAIMS)
    start = await console.client.get("/console/sign-in/oidc/staff")
    at_provider = await _at_provider(start.headers["location"])
    callback = at_provider.headers["location"].removeprefix(PUBLIC_URL)
    sign_in_cookie = dict(console.client.cookies)
    assert (await console.client.get(callback)).status_code == 200
    for name, value in sign_in_cookie.items():
        console.client.cookies.set(name, value, domain="hub.test", path="/console/sign-in/oidc")
    assert (await console.client.get(callback)).status_code == 400


async def test_a_tampered_state_is_refused(console: Console, provider: OIDCProvider) -> None:
    provider.sign_in_as(**OFFICER_CLAIMS)
    start = await console.client.get("/console/sign-in/oidc/staff")
    at_provider = await _at_provider(start.headers["location"])
    callback = at_provider.headers["location"].removeprefix(PUBLIC_URL)
    answer = await console.client.get(callback.replace("state=", "state=x"))
    assert answer.status_code == 400
    assert "could not be verified" in answer.text


async def test_a_forged_id_token_is_refused(console: Console, provider: OIDCProvider) -> None:
    provider.sign_in_as(**OFFICER_CLAIMS)
    provider.state.forge = True
    answer = await _sign_in(console)
    assert answer.status_code == 400
    assert "could not be verified" in answer.text
    assert "hub_console=" not in answer.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    ("claims", "says"),
    [
        ({"sub": "u-2", "hub_official_id": "x.1"}, "no hub role"),
        (
            {"sub": "u-3", "hub_role": ["auditor", "privacy_officer"], "hub_official_id": "x.1"},
            "several console roles",
        ),
    ],
)
async def test_claims_without_one_role_sign_no_one_in(
    console: Console, provider: OIDCProvider, claims: dict[str, Any], says: str
) -> None:
    provider.sign_in_as(**claims)
    answer = await _sign_in(console)
    assert answer.status_code == 403
    assert says in answer.text and "Signed in, but not to this console" in answer.text


async def test_an_unknown_provider_is_404(console: Console) -> None:
    assert (await console.client.get("/console/sign-in/oidc/other")).status_code == 404
