"""What the console's handlers share: the hub's services, the session store, the renderer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from starlette.requests import Request

from hub.admin.context import AdminContext
from hub.console.rendering import Renderer
from hub.console.sessions import ActiveSession, SessionStore
from hub.observability.middleware import current_request_id
from schema.context import Services


@dataclass(frozen=True)
class ConsoleState:
    """The console's long-lived parts, on the console app's `state.console`."""

    services: Services
    sessions: SessionStore
    renderer: Renderer

    @property
    def secure_cookies(self) -> bool:
        """Cookies are Secure (and `__Secure-` named) in production, served over https."""
        return self.services.settings.is_production

    def admin_context(
        self, request: Request, session: ActiveSession, case_ref: str | None = None
    ) -> AdminContext:
        """The admin services' context for this request: the same the endpoint builds."""
        return AdminContext(
            services=self.services,
            principal=session.principal(),
            request_id=current_request_id() or str(uuid.uuid4()),
            case_ref=case_ref,
            client_addr=request.client.host if request.client else None,
        )


def console_of(request: Request) -> ConsoleState:
    """The console state of the app serving `request`."""
    state = request.app.state.console
    assert isinstance(state, ConsoleState)
    return state
