"""The documented mapping of an identity provider's claims to a console user."""

from __future__ import annotations

from typing import Any

import pytest

from hub.auth.roles import Role
from hub.console.claims import ClaimsRefused, citizen_from_claims, official_from_claims
from hub.settings import OIDCProvider

PROVIDER = OIDCProvider(
    metadata_url="https://idp.example/.well-known/openid-configuration",
    client_id="hub-console",
    role_claim="groups",
    role_values={"ssis-privacy": "privacy_officer", "ssis-audit": "auditor"},
    official_claim="employee_id",
)


def test_the_role_claim_maps_through_role_values() -> None:
    claims = {"groups": ["staff", "ssis-audit"], "employee_id": "audit.7"}
    user = official_from_claims(PROVIDER, "staff", claims)
    assert (user.role, user.official, user.rrn, user.sign_in) == (
        Role.AUDITOR,
        "audit.7",
        None,
        "staff",
    )
    assert official_from_claims(PROVIDER, "staff", {**claims, "groups": "ssis-privacy"}).role is (
        Role.PRIVACY_OFFICER
    )


@pytest.mark.parametrize(
    ("claims", "says"),
    [
        ({"employee_id": "a.1"}, "no hub role"),
        ({"groups": ["staff"], "employee_id": "a.1"}, "None of your account's roles"),
        ({"groups": ["ssis-audit", "ssis-privacy"], "employee_id": "a.1"}, "several console roles"),
        ({"groups": ["ssis-audit"]}, "no usable official id"),
        ({"groups": ["ssis-audit"], "employee_id": "has spaces"}, "no usable official id"),
        ({"groups": 7, "employee_id": "a.1"}, "no hub role"),
    ],
)
def test_claims_that_make_no_single_official_are_refused(claims: dict[str, Any], says: str) -> None:
    with pytest.raises(ClaimsRefused, match=says):
        official_from_claims(PROVIDER, "staff", claims)


def test_a_citizen_is_named_by_their_registration_number() -> None:
    user = citizen_from_claims(PROVIDER, "citizen", {"rrn": "850314-2345678"})
    assert (user.role, user.rrn) == (Role.CITIZEN_PORTAL, "8503142345678")
    with pytest.raises(ClaimsRefused, match="cannot use"):
        citizen_from_claims(PROVIDER, "citizen", {"rrn": "850230-2345678"})
    with pytest.raises(ClaimsRefused, match="did not say who you are"):
        citizen_from_claims(PROVIDER, "citizen", {"sub": "x"})


def test_role_values_must_name_console_roles() -> None:
    with pytest.raises(ValueError, match="unknown roles agency"):
        OIDCProvider(metadata_url="https://x", client_id="c", role_values={"a": "agency"})
    with pytest.raises(ValueError, match="must include openid"):
        OIDCProvider(metadata_url="https://x", client_id="c", scopes="profile")
