"""Which roles may use which administrative field, declared once per role set.

Every field of the administrative schema names one of these classes in
`permission_classes`; resolvers never check roles themselves. The endpoint
already refuses agencies' tokens, so these draw the lines between privacy
officers, consent managers, auditors and the citizen portal: no field serves
both an auditor and anyone else.

The fields that name a person (`rrn`) use a `PersonFieldPermission`, which
also logs a refusal for a well-formed number as an access-log entry
(`hub.admin.person_log`).

Services called from outside GraphQL (the console, `hub.console`) check
the same class with `require_permission`, so a page and a field refuse
the same roles and log the same refusals.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any, ClassVar

import strawberry
from strawberry.permission import BasePermission

from hub.admin.context import AdminContext
from hub.admin.errors import ForbiddenRole
from hub.admin.person_log import (
    ACCESS_REPORT,
    CONSENT_LOOKUP,
    SIMULATION,
    PersonRead,
    record_refusal,
)
from hub.auth.roles import Role, RoleRefused, require_role


class RolePermission(BasePermission):
    """Grants a field to the tokens of `roles`; FORBIDDEN_ROLE for any other."""

    roles: ClassVar[tuple[Role, ...]] = ()
    error_extensions = {"code": "FORBIDDEN_ROLE"}  # noqa: RUF012 - strawberry's attribute

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        served = " and ".join(f"{role.replace('_', ' ')}s" for role in cls.roles)
        cls.message = f"this field is for {served}"

    def allows(self, context: object) -> bool:
        """Whether the caller's role is one of this field's roles (refusals are logged)."""
        if not isinstance(context, AdminContext):
            return False
        try:
            require_role(context.principal, *self.roles)
        except RoleRefused:
            return False
        return True

    def has_permission(
        self, source: Any, info: strawberry.Info, **kwargs: Any
    ) -> bool | Awaitable[bool]:
        """Whether the caller may use the field."""
        return self.allows(info.context)


class PersonFieldPermission(RolePermission):
    """A field about the person its `rrn` names: a refusal is an access-log entry too.

    AUDIT_UNAVAILABLE instead of FORBIDDEN_ROLE when that entry cannot be
    committed: the agencies' endpoint, too, answers nothing it has not
    logged, refusals included.
    """

    read: ClassVar[PersonRead]

    def has_permission(
        self, source: Any, info: strawberry.Info, **kwargs: Any
    ) -> bool | Awaitable[bool]:
        """Whether the caller may use the field; if not, the refusal is logged first."""
        context = info.context
        if self.allows(context):
            return True
        if not isinstance(context, AdminContext):
            return False
        return self._refuse(context, kwargs)

    async def _refuse(self, context: AdminContext, arguments: Mapping[str, Any]) -> bool:
        await record_refusal(context, self.read, arguments)
        return False


class OfficersOnly(RolePermission):
    """Policy versions, diffs and trusted documents: privacy officers alone."""

    roles = (Role.PRIVACY_OFFICER,)


class OfficersSimulating(PersonFieldPermission):
    """Simulating what an agency would receive for a person: privacy officers alone."""

    roles = (Role.PRIVACY_OFFICER,)
    read = SIMULATION


class ConsentChannels(RolePermission):
    """Pausing, resuming and revoking consents."""

    roles = (Role.PRIVACY_OFFICER, Role.CONSENT_MANAGER)


class ConsentLookup(PersonFieldPermission):
    """Looking up a person's consents: the roles that may change them."""

    roles = ConsentChannels.roles
    read = CONSENT_LOOKUP


class ConsentManagersOnly(RolePermission):
    """Recording a consent: the channel that received it, never an officer or an agency."""

    roles = (Role.CONSENT_MANAGER,)


class AuditorsOnly(RolePermission):
    """The audit log itself: entries, officials' activity, tree heads, proofs, exports."""

    roles = (Role.AUDITOR,)


class CitizenPortalOnly(PersonFieldPermission):
    """A person's own access report, through the portal that authenticated them."""

    roles = (Role.CITIZEN_PORTAL,)
    read = ACCESS_REPORT


async def require_permission(
    permission: type[RolePermission], ctx: AdminContext, arguments: Mapping[str, Any]
) -> None:
    """Apply a field's permission to a caller outside GraphQL; ForbiddenRole if refused.

    A refused read about a person is logged first, exactly as the field's
    refusal is (`arguments` are the field's: `rrn` names the person).
    """
    checker = permission()
    if checker.allows(ctx):
        return
    if isinstance(checker, PersonFieldPermission):
        await record_refusal(ctx, checker.read, arguments)
    raise ForbiddenRole(checker.message or "this role may not use this service")
