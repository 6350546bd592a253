"""The administrative GraphQL endpoint (/admin/graphql): officers, channels, auditors, portal.

It is a separate endpoint with its own schema, so nothing an agency can
reach leads here: the view refuses agencies' tokens before anything
executes, and each field then admits only the roles it names.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from hub.admin.context import AdminContext
from hub.admin.schema import build_admin_schema
from hub.auth.graphql_view import CASE_HEADER, BearerGraphQLView
from hub.auth.roles import Role
from schema.context import Services

#: The roles this endpoint serves; which field each may use is declared per field.
ADMIN_ROLES = (Role.PRIVACY_OFFICER, Role.CONSENT_MANAGER, Role.AUDITOR, Role.CITIZEN_PORTAL)


class AdminGraphQLView(BearerGraphQLView[AdminContext]):
    """The administrative endpoint: every role but agencies; fields admit their own roles."""

    roles = ADMIN_ROLES

    def __init__(self, services: Services) -> None:
        settings = services.settings
        super().__init__(
            build_admin_schema(introspection=settings.introspection_enabled),
            settings,
            services.keys,
            services.revocations,
        )
        self.services = services

    def body_limit(self) -> int:
        """Policy documents are proposed whole: this endpoint reads longer bodies."""
        return self._settings.admin_max_body_bytes

    async def get_context(self, request: Request, response: Any) -> AdminContext:  # type: ignore[override]
        """Authenticate the caller and refuse any role the endpoint does not serve."""
        principal, request_id = await self.authenticated(request, response)
        services = self.services
        return AdminContext(
            services=services,
            principal=principal,
            request_id=request_id,
            case_ref=request.headers.get(CASE_HEADER, "").strip() or None,
            client_addr=request.client.host if request.client else None,
        )
