"""Roles never reach each other's endpoints."""

from __future__ import annotations

import pytest

from hub.auth.roles import Role, RoleRefused, require_role
from hub.auth.tokens import Principal


def _principal(role: Role) -> Principal:
    agency = "LOCAL_WELFARE" if role is Role.AGENCY else ""
    return Principal(agency, "kim.01", "jti", 0, role=role, client_id="app")


@pytest.mark.parametrize("role", list(Role))
def test_each_role_passes_only_its_own_gate(role: Role, caplog: pytest.LogCaptureFixture) -> None:
    principal = _principal(role)
    assert require_role(principal, role) is principal
    for other in Role:
        if other is role:
            continue
        with pytest.raises(RoleRefused, match="wrong role"):
            require_role(principal, other)
    assert f"wrong role: {role} token" in caplog.text


def test_an_endpoint_may_serve_several_roles() -> None:
    principal = _principal(Role.AUDITOR)
    assert require_role(principal, Role.PRIVACY_OFFICER, Role.AUDITOR) is principal


def test_the_vocabulary_is_fixed() -> None:
    assert [str(r) for r in Role] == [
        "agency",
        "privacy_officer",
        "consent_manager",
        "auditor",
        "citizen_portal",
    ]
