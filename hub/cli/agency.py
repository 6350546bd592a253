"""`ssis-hub agency ...`: register a client's public keys; disable, enable it, remove a key.

The agency generates its key pair itself and hands over only the public
JWKS; registering again with the same client id replaces the keys (which
is how an agency rotates them: register a JWKS holding the old and the new
key, switch signing to the new one, then register the new key alone).
`disable`, `enable` and `remove-key` switch a client (or one leaked key)
off at once, each with a reason recorded under the operator's login name
(`cli:<user>`); see `hub.oauth.standing`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hub.auth.roles import Role

if TYPE_CHECKING:
    from hub.oauth.clients import Registration


def add_agency_parser(sub: Any) -> None:
    """Add `agency register` to the subcommands of `ssis-hub`."""
    parser = sub.add_parser("agency", help="manage the OAuth2 clients of agencies and other roles")
    commands = parser.add_subparsers(dest="agency_command", required=True)
    p = commands.add_parser("register", help="register or update a client's public keys")
    p.add_argument(
        "--code", required=True, help="agency code (role agency), else the client's own code"
    )
    p.add_argument("--jwks", required=True, type=Path, help="file holding the public JWKS")
    p.add_argument(
        "--role", choices=[str(role) for role in Role], default=str(Role.AGENCY), help="role"
    )
    p.add_argument("--client-id", help="client id (default: the code), for several applications")
    p.add_argument("--name", help="display name (default: the agency's name, or the code)")
    p.add_argument("--database-url", help="override HUB_DATABASE_URL")
    p.set_defaults(func=cmd_agency_register)

    for name, help_text in (
        ("disable", "disable a client: its token requests and its tokens are refused"),
        ("enable", "enable a disabled client again"),
        ("remove-key", "remove one key of a client (a leaked key); its tokens are refused"),
    ):
        p = commands.add_parser(name, help=help_text)
        p.add_argument("--client-id", required=True, help="the client's id")
        if name == "remove-key":
            p.add_argument("--kid", required=True, help="the key id to remove")
        p.add_argument("--reason", required=True, help="why (recorded with the change)")
        p.add_argument("--database-url", help="override HUB_DATABASE_URL")
        p.set_defaults(func=cmd_agency_change, change=name)


async def _register(url: str, args: argparse.Namespace, jwks: object) -> Registration:
    from hub.db.session import Database
    from hub.oauth.clients import register_client

    database = Database.from_url(url)
    try:
        return await register_client(
            database,
            code=args.code,
            jwks=jwks,
            role=Role(args.role),
            client_id=args.client_id,
            name=args.name,
        )
    finally:
        await database.dispose()


def cmd_agency_register(args: argparse.Namespace) -> int:
    """Register or update a client from a public JWKS file; print what was done."""
    # Imported here, like the other commands' dependencies, to keep `ssis-hub` quick to start.
    from sqlalchemy.exc import DBAPIError

    from hub.oauth.clients import ClientRegistrationError
    from hub.settings import Settings

    url = args.database_url or Settings().effective_database_url
    try:
        jwks = json.loads(args.jwks.read_text(encoding="utf-8"))
    except OSError as exc:
        print(f"error: cannot read {args.jwks}: {exc.strerror}", file=sys.stderr)
        return 2
    except ValueError:
        print(f"error: {args.jwks} is not JSON", file=sys.stderr)
        return 2
    try:
        result = asyncio.run(_register(url, args, jwks))
    except ClientRegistrationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DBAPIError as exc:
        print(
            f"error: the database refused ({type(exc.orig).__name__}); "
            "has `ssis-hub migrate` been run?",
            file=sys.stderr,
        )
        return 2
    print(result.describe())
    return 0


def cmd_agency_change(args: argparse.Namespace) -> int:
    """Disable or enable a client, or remove one of its keys; print its standing."""
    import getpass

    from sqlalchemy.exc import DBAPIError

    from hub.db.session import Database
    from hub.oauth import standing
    from hub.settings import Settings

    url = args.database_url or Settings().effective_database_url
    # The operator at the hub's console: recorded as who made the change.
    actor = f"cli:{getpass.getuser()}"

    async def change() -> standing.ClientStanding:
        database = Database.from_url(url)
        try:
            if args.change == "disable":
                return await standing.disable_client(
                    database, args.client_id, actor=actor, reason=args.reason
                )
            if args.change == "enable":
                return await standing.enable_client(
                    database, args.client_id, actor=actor, reason=args.reason
                )
            return await standing.remove_client_key(
                database, args.client_id, args.kid, actor=actor, reason=args.reason
            )
        finally:
            await database.dispose()

    try:
        result = asyncio.run(change())
    except standing.ClientChangeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DBAPIError as exc:
        print(
            f"error: the database refused ({type(exc.orig).__name__}); "
            "has `ssis-hub migrate` been run?",
            file=sys.stderr,
        )
        return 2
    print(result.describe())
    return 0
