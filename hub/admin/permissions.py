"""Which roles may use which administrative field, declared once per role set.

Every field of the administrative schema names one of these classes in
`permission_classes`; resolvers never check roles themselves. The endpoint
already refuses agencies' tokens, so these draw the lines between privacy
officers, consent managers, auditors and the citizen portal: no field serves
both an auditor and anyone else.
"""

from __future__ import annotations

from typing import Any, ClassVar

import strawberry
from strawberry.permission import BasePermission

from hub.admin.context import AdminContext
from hub.auth.roles import Role, RoleRefused, require_role


class RolePermission(BasePermission):
    """Grants a field to the tokens of `roles`; FORBIDDEN_ROLE for any other."""

    roles: ClassVar[tuple[Role, ...]] = ()
    error_extensions = {"code": "FORBIDDEN_ROLE"}  # noqa: RUF012 - strawberry's attribute

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        served = " and ".join(f"{role.replace('_', ' ')}s" for role in cls.roles)
        cls.message = f"this field is for {served}"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        """Whether the caller's role is one of this field's roles (refusals are logged)."""
        context = info.context
        if not isinstance(context, AdminContext):
            return False
        try:
            require_role(context.principal, *self.roles)
        except RoleRefused:
            return False
        return True


class OfficersOnly(RolePermission):
    """Policy versions, diffs and simulations: privacy officers alone."""

    roles = (Role.PRIVACY_OFFICER,)


class ConsentChannels(RolePermission):
    """Looking up, pausing, resuming and revoking consents."""

    roles = (Role.PRIVACY_OFFICER, Role.CONSENT_MANAGER)


class ConsentManagersOnly(RolePermission):
    """Recording a consent: the channel that received it, never an officer or an agency."""

    roles = (Role.CONSENT_MANAGER,)


class AuditorsOnly(RolePermission):
    """The audit log itself: entries, officials' activity, tree heads, proofs, exports."""

    roles = (Role.AUDITOR,)


class CitizenPortalOnly(RolePermission):
    """A person's own access report, through the portal that authenticated them."""

    roles = (Role.CITIZEN_PORTAL,)
