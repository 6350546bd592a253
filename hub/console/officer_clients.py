"""The officers' clients page: an agency's client switched off or on, or one key removed.

`hub.admin.client_service` (the body of `client`, `disableClient`,
`enableClient` and `removeClientKey`) reads the standing and makes each
change with the officer's reason; the token endpoint refuses the client or
key from its next request and its tokens already issued are refused. A
change the service refuses (no reason, the last key, already disabled) is
shown in place.
"""

from __future__ import annotations

import re

from starlette.responses import Response
from starlette.routing import Route

from hub.admin.client_service import (
    ClientChangeRefused,
    ClientNotFoundError,
    change_client,
    client_standing,
)
from hub.console.errors import NotFound
from hub.console.guards import PageRequest
from hub.console.navigation import OFFICER
from hub.console.officer_common import (
    done_message,
    officer_path,
    officers,
    required,
    see_other,
    service_errors,
)
from hub.console.officer_policies import sentence

DONE = {
    "disable": "The client is disabled: the token endpoint refuses it, and its tokens are refused.",
    "enable": "The client is enabled again; tokens issued before it was disabled stay refused.",
    "remove_key": "The key is removed: assertions signed with it are refused from now on.",
}
#: Client ids as the token endpoint issues them (letters, digits, `._:-`); anything else is no page.
_CLIENT_ID = re.compile(r"\A[A-Za-z0-9._:-]{1,128}\Z")


@officers
async def clients_page(page: PageRequest) -> Response:
    """Find a client by its id (`?client=`), or say how."""
    wanted = page.request.query_params.get("client", "").strip()
    if wanted:
        if _CLIENT_ID.match(wanted):
            return see_other(officer_path("clients", wanted))
        return page.render(
            "officer_clients.html",
            status=400,
            title="Clients",
            error="A client id is 1 to 128 letters, digits or ._:- as the agency registered it.",
            wanted=wanted,
            home=OFFICER,
        )
    return page.render("officer_clients.html", title="Clients", error=None, wanted="", home=OFFICER)


async def _client_page(
    page: PageRequest, *, error: str | None = None, status: int = 200
) -> Response:
    client_id = str(page.request.path_params["client_id"])
    if not _CLIENT_ID.match(client_id):
        raise NotFound("There is no client with this id.")
    ctx = page.console.admin_context(page.request, page.session)
    try:
        with service_errors():
            found = await client_standing(ctx, client_id)
    except ClientNotFoundError:
        raise NotFound(f"No client {client_id} is registered.") from None
    return page.render(
        "officer_client.html",
        status=status,
        title=f"Client {client_id}",
        client=found,
        error=error,
        done=done_message(page.request, DONE),
        home=OFFICER,
    )


@officers
async def client_page(page: PageRequest) -> Response:
    """A client's keys, whether it is on, and every recorded change."""
    return await _client_page(page)


@officers
async def change(page: PageRequest) -> Response:
    """Disable, enable or remove a key, with a reason; a refusal is shown in place."""
    client_id = str(page.request.path_params["client_id"])
    action = required(page.form, "action")
    reason = required(page.form, "reason")
    kid = page.form.get("kid") if action == "remove_key" else None
    ctx = page.console.admin_context(page.request, page.session)
    try:
        with service_errors():
            await change_client(ctx, client_id, action, reason, kid)
    except ClientNotFoundError:
        raise NotFound(f"No client {client_id} is registered.") from None
    except ClientChangeRefused as exc:
        return await _client_page(page, error=sentence(exc.message), status=409)
    return see_other(officer_path("clients", client_id), action)


def clients_routes() -> list[Route]:
    """Finding a client, its page, and the changes."""
    return [
        Route("/officer/clients", clients_page, methods=["GET"], name="officer-clients"),
        Route(
            "/officer/clients/{client_id:str}",
            client_page,
            methods=["GET"],
            name="officer-client",
        ),
        Route(
            "/officer/clients/{client_id:str}/change",
            change,
            methods=["POST"],
            name="officer-client-change",
        ),
    ]
