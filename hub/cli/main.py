"""`ssis-hub`: run, migrate and inspect the hub.

Each subcommand builds its settings when it runs (never at import time) and
reports bad input as one line on stderr with a non-zero exit status.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from hub.auth.roles import Role
from hub.cli.agency import add_agency_parser
from hub.cli.audit import add_audit_parser
from hub.cli.documents import add_documents_parser
from hub.observability.clip import clip
from hub.settings import Settings, UnsafeSettings
from policies.document import PolicyFileError


def _settings() -> Settings:
    return Settings()


def cmd_catalog(args: argparse.Namespace) -> int:
    """Print the catalog (readable, or JSON with --json)."""
    from hub.catalog import load_catalog
    from hub.catalog.export import catalog_summary, catalog_to_json

    catalog = load_catalog()
    if args.json:
        print(json.dumps(catalog_to_json(catalog), indent=2, ensure_ascii=False))
    else:
        print(catalog_summary(catalog))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Apply the database migrations."""
    from hub.app.prepare import prepare_database

    settings = _settings()
    url = args.database_url or settings.effective_database_url
    installed = asyncio.run(prepare_database(url))
    print(f"migrated {_redact(url)} to the latest revision")
    if installed is not None:
        print(f"installed the baseline policy as version {installed}")
    return 0


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_dev_token(args: argparse.Namespace) -> int:
    """Print a development access token (for an agency, or for another role with --role)."""
    from hub.auth.tokens import issue_token
    from hub.catalog import load_catalog
    from hub.keys import load_keys

    settings = _settings()
    if settings.is_production:
        print("error: dev-token is refused in production", file=sys.stderr)
        return 2
    role = Role(args.role)
    if (role is Role.AGENCY) != (args.agency is not None):
        print("error: --agency is required for role agency and refused otherwise", file=sys.stderr)
        return 2
    purposes: tuple[str, ...] = ()
    if args.agency is not None:
        agency = load_catalog().agency(args.agency)
        if agency is None:
            print(f"error: unknown agency {args.agency!r}", file=sys.stderr)
            return 2
        purposes = tuple(p.code for p in agency.purposes)
    if args.url is not None or args.port is not None:
        try:
            settings = _running_hub(settings, args.url or f"http://127.0.0.1:{args.port}")
        except _HubNotFound as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    keys = load_keys(settings)
    token = issue_token(
        keys,
        settings,
        agency=args.agency,
        official=args.official,
        role=role,
        purposes=purposes,
        ttl_s=args.ttl,
    )
    print(token)
    return 0


class _HubNotFound(Exception):
    """No running hub answered with its OAuth metadata."""


def _running_hub(settings: Settings, url: str) -> Settings:
    """`settings` with the issuer the hub running at `url` advertises.

    A hub started with `serve --port 8210` issues and accepts tokens of
    issuer http://127.0.0.1:8210; another shell learns it from the hub's
    RFC 8414 metadata instead of guessing. The token is still signed with
    the development keys of this data directory, which must be the hub's.
    """
    import httpx

    base = url.rstrip("/")
    try:
        response = httpx.get(f"{base}/.well-known/oauth-authorization-server", timeout=5)
        response.raise_for_status()
        issuer = response.json()["issuer"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        raise _HubNotFound(
            f"no hub answered at {clip(base)} with its OAuth metadata ({type(exc).__name__})"
        ) from None
    if not isinstance(issuer, str):
        raise _HubNotFound(f"the hub at {clip(base)} advertises no issuer")
    return settings.model_copy(update={"public_url": base, "issuer": issuer})


def cmd_demo_subjects(args: argparse.Namespace) -> int:
    """Print registration numbers that exist in the simulated population."""
    from simulator.population import Population

    if args.seed is None:
        population = Population(size=args.size)
    else:
        population = Population(size=args.size, seed=args.seed)
    if not 0 < args.n <= len(population):
        print(f"error: -n must be between 1 and {len(population)}", file=sys.stderr)
        return 2
    for rrn in population.sample_rrns(args.n):
        print(rrn)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the agencies' SDL, or check the committed copy against it."""
    from hub.catalog import load_catalog
    from schema.build import build_schema

    sdl = build_schema(load_catalog()).schema.as_str() + "\n"
    if args.check:
        with open(args.check, encoding="utf-8") as handle:
            committed = handle.read()
        if committed != sdl:
            print(
                f"error: {args.check} differs from the schema; run `make schema`", file=sys.stderr
            )
            return 1
        return 0
    sys.stdout.write(sdl)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the hub (optionally with the simulated sources beside it)."""
    from hub.cli.serve import serve

    return serve(args, _settings())


def cmd_sources(args: argparse.Namespace) -> int:
    """Run the simulated source institutions."""
    from simulator.cli import run

    return run(args)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `ssis-hub`."""
    parser = argparse.ArgumentParser(prog="ssis-hub", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("catalog", help="print the catalog of shared information")
    p.add_argument("--json", action="store_true", help="machine-readable JSON")
    p.set_defaults(func=cmd_catalog)

    p = sub.add_parser("migrate", help="apply database migrations")
    p.add_argument("--database-url", help="override HUB_DATABASE_URL")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("dev-token", help="print a development access token")
    p.add_argument("--agency", help="agency code, e.g. LOCAL_WELFARE (role agency)")
    p.add_argument("--role", choices=[r.value for r in Role], default=Role.AGENCY.value)
    p.add_argument("--official", required=True, help="the official's personal id")
    p.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--url", help="a running hub's base URL: the token carries the issuer it advertises"
    )
    where.add_argument("--port", type=int, help="the port of a hub running on 127.0.0.1 (as --url)")
    p.set_defaults(func=cmd_dev_token)

    p = sub.add_parser("demo-subjects", help="print registration numbers of simulated persons")
    p.add_argument("-n", type=int, default=5, help="how many")
    p.add_argument("--size", type=int, default=10_000, help="simulated population size")
    p.add_argument("--seed", type=int, default=None, help="population seed")
    p.set_defaults(func=cmd_demo_subjects)

    p = sub.add_parser("schema", help="print the GraphQL SDL")
    p.add_argument("--check", metavar="FILE", help="fail if FILE differs from the schema")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("serve", help="run the hub")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--with-sources",
        action="store_true",
        help="also start the simulated sources and point the hub at them",
    )
    p.add_argument("--sources-port", type=int, default=8100)
    p.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="worker processes (each its own app; they share the database)",
    )
    p.set_defaults(func=cmd_serve)

    add_agency_parser(sub)
    add_audit_parser(sub)
    add_documents_parser(sub)

    from simulator.cli import add_arguments

    p = sub.add_parser("sources", help="run the simulated source institutions")
    add_arguments(p)
    p.set_defaults(func=cmd_sources)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `ssis-hub`."""
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except (UnsafeSettings, ValidationError, PolicyFileError) as exc:
        # A missing or broken baseline policy is a broken installation, like
        # unsafe settings: say so in one line rather than a traceback.
        print(f"error: refusing to start: {exc}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    raise SystemExit(main())
