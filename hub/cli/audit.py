"""`ssis-hub audit`: export, verify, sign and prune the tamper-evident access log.

Exit statuses: 0 when all is well, 1 when verification finds the log
altered, 2 for input that cannot be read (a missing or malformed file, a
bad key, an unreachable database) or a refused request.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from hub.audit.keyset import AuditPublicKeys
    from hub.audit.walk import VerifyReport
    from hub.db.session import Database
    from hub.settings import Settings

T = TypeVar("T")


def add_audit_parser(sub: Any) -> None:
    """Add `audit ...` to the subcommands of `ssis-hub`."""
    parser = sub.add_parser("audit", help="export, verify, sign and prune the access log")
    commands = parser.add_subparsers(dest="audit_command", required=True)

    p = commands.add_parser("export", help="export a range of entries as JSON Lines")
    p.add_argument("--from", dest="first", type=int, default=0, help="first entry (default 0)")
    p.add_argument("--to", dest="last", type=int, help="end, exclusive (default: the log's size)")
    p.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    p.add_argument("--database-url", help="override HUB_DATABASE_URL")
    p.set_defaults(func=cmd_export)

    p = commands.add_parser("verify", help="verify an export offline, or the database")
    p.add_argument("export", nargs="?", type=Path, help="the export (.jsonl) to verify")
    p.add_argument("--database", action="store_true", help="verify the live database instead")
    _add_key_options(p)
    p.add_argument("--database-url", help="override HUB_DATABASE_URL")
    p.set_defaults(func=cmd_verify)

    p = commands.add_parser(
        "verify-proof", help="verify an entry's inclusion proof document offline"
    )
    p.add_argument("document", type=Path, help="the proof document (.json) to verify")
    _add_key_options(p)
    p.set_defaults(func=cmd_verify_proof)

    p = commands.add_parser("public-key", help="print the audit public key (PEM) or --jwks")
    p.add_argument(
        "--jwks", action="store_true", help="print every audit key (public JWKS) instead"
    )
    p.set_defaults(func=cmd_public_key)

    p = commands.add_parser("sign", help="sign and store a tree head for the log as it is")
    p.add_argument("--database-url", help="override HUB_DATABASE_URL")
    p.set_defaults(func=cmd_sign)

    p = commands.add_parser("prune", help="remove the content of entries past retention")
    p.add_argument(
        "--before",
        help="ISO date or time (UTC unless it says otherwise); "
        "default: now minus HUB_AUDIT_RETENTION_DAYS",
    )
    p.add_argument("--database-url", help="override HUB_DATABASE_URL")
    p.set_defaults(func=cmd_prune)


def _add_key_options(p: argparse.ArgumentParser) -> None:
    """--public-key or --jwks: the keys a verifier checks heads with."""
    given = p.add_mutually_exclusive_group()
    given.add_argument(
        "--public-key",
        type=Path,
        help="the hub's audit public key (PEM or JWK) or key set (JWKS), as a file",
    )
    given.add_argument(
        "--jwks",
        metavar="FILE_OR_URL",
        help="the audit key set (JWKS): a file, or the hub's https://.../audit/keys.json; "
        "each head is checked with the key its kid names",
    )


def _settings() -> Settings:
    from hub.settings import Settings

    return Settings()


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _with_database(
    args: argparse.Namespace, settings: Settings, work: Callable[[Database], Awaitable[T]]
) -> T:
    """Run `work` on the configured database, disposing of the engine afterwards."""
    from hub.db.session import Database

    async def run() -> T:
        database = Database.from_url(args.database_url or settings.effective_database_url)
        try:
            return await work(database)
        finally:
            await database.dispose()

    return asyncio.run(run())


def cmd_export(args: argparse.Namespace) -> int:
    """Write the export of [--from, --to) with a freshly signed head covering it."""
    from sqlalchemy.exc import DBAPIError

    from hub.audit.export import iter_export
    from hub.keys import load_keys

    settings = _settings()
    keys = load_keys(settings)

    async def export(database: Database) -> int:
        lines = iter_export(database, keys, args.first, args.last)
        # The header comes first and refuses a bad range: only then is the file created.
        header = await anext(lines)
        output = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
        count = 0
        try:
            output.write(header + "\n")
            async for line in lines:
                output.write(line + "\n")
                count += 1
        finally:
            if args.output:
                output.close()
        return count

    try:
        count = _with_database(args, settings, export)
    except ValueError as exc:
        return _error(str(exc))
    except OSError as exc:
        return _error(f"cannot write {args.output}: {exc.strerror}")
    except DBAPIError as exc:
        return _error(f"the database refused ({type(exc.orig).__name__})")
    if args.output:
        print(f"exported {count} entries to {args.output}", file=sys.stderr)
    return 0


def _read_public_key(path: Path) -> AuditPublicKeys:
    """The key or key set in `path`; ValueError with a readable reason otherwise."""
    from hub.audit.keyset import load_audit_keys

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the public key {path}: {exc}") from None
    try:
        return load_audit_keys(text)
    except ValueError as exc:
        raise ValueError(f"{path} holds no Ed25519 public key (PEM, JWK or JWKS): {exc}") from None


#: How long fetching a published key set may take.
JWKS_TIMEOUT_S = 10.0


def _read_jwks(source: str) -> AuditPublicKeys:
    """The key set in a file, or published at an https URL (http only on loopback)."""
    from urllib.parse import urlsplit

    from hub.audit.keyset import load_jwks

    parts = urlsplit(source)
    if parts.scheme not in ("http", "https"):
        keys = _read_public_key(Path(source))
        if not keys.by_kid or keys.unnamed is not None:
            raise ValueError(f"{source} is not a JWKS: every key needs its kid")
        return keys
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        # A key set fetched in clear could be anyone's: TLS vouches for the hub.
        raise ValueError(f"fetch the key set over https, not {parts.scheme}://{parts.hostname}")
    import httpx

    try:
        response = httpx.get(source, timeout=JWKS_TIMEOUT_S, follow_redirects=False)
        response.raise_for_status()
        return load_jwks(response.json())
    except httpx.HTTPError as exc:
        raise ValueError(f"cannot fetch the key set from {source}: {exc}") from None
    except ValueError as exc:
        raise ValueError(f"{source} does not hold a JWKS: {exc}") from None


def _given_keys(args: argparse.Namespace) -> AuditPublicKeys | None:
    """The keys named by --public-key or --jwks, or None when neither was given."""
    if args.jwks is not None:
        return _read_jwks(args.jwks)
    if args.public_key is not None:
        return _read_public_key(args.public_key)
    return None


def _verdict(report: VerifyReport) -> int:
    from hub.audit.walk import Problem

    print(report.summary())
    if report.ok:
        return 0
    return 2 if report.problem is Problem.MALFORMED else 1


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify an export against a public key, or the live database."""
    if args.database == (args.export is not None):
        return _error("give either an export file or --database")
    if args.database:
        return _verify_database(args)
    from hub.audit.verify import verify_export

    try:
        public_key = _given_keys(args)
        if public_key is None:
            return _error(
                "--public-key or --jwks is required: obtain the hub's audit keys independently"
            )
        with args.export.open(encoding="utf-8") as lines:
            report = verify_export(lines, public_key)
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        return _error(str(exc))
    except OSError as exc:
        return _error(f"cannot read {args.export}: {exc.strerror}")
    return _verdict(report)


def cmd_verify_proof(args: argparse.Namespace) -> int:
    """Verify an inclusion proof document: exit 0 if it holds, 1 if not, 2 if unreadable."""
    from hub.audit.inclusion import verify_document

    try:
        public_key = _given_keys(args)
        if public_key is None:
            return _error(
                "--public-key or --jwks is required: obtain the hub's audit keys independently"
            )
        document = json.loads(args.document.read_text(encoding="utf-8"))
    except ValueError as exc:  # a bad key, or a file that is not JSON (or not UTF-8)
        return _error(str(exc))
    except OSError as exc:
        return _error(f"cannot read {args.document}: {exc.strerror}")
    check = verify_document(document, public_key)
    print(check.message if check.ok else f"FAIL: {check.message}")
    if check.ok:
        return 0
    return 2 if check.malformed else 1


def _verify_database(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError

    from hub.audit.keyset import ring_public_keys
    from hub.audit.verify import verify_database
    from hub.keys import load_keys
    from hub.settings import Environment

    settings = _settings()
    try:
        given = _given_keys(args)
    except ValueError as exc:
        return _error(str(exc))
    if given is not None:
        public_key = given
    elif settings.environment is Environment.DEVELOPMENT:
        # The hub's own keys only show that the hub agrees with itself; an
        # auditor checks against keys obtained independently.
        public_key = ring_public_keys(load_keys(settings))
        print("note: verifying with the hub's own audit keys (development only)")
    else:
        return _error("--public-key or --jwks is required outside development")
    try:
        report = _with_database(args, settings, lambda db: verify_database(db, public_key))
    except DBAPIError as exc:
        return _error(f"the database refused ({type(exc.orig).__name__})")
    return _verdict(report)


def cmd_public_key(args: argparse.Namespace) -> int:
    """Print the signing audit public key as PEM, or with --jwks every audit key as a JWKS."""
    from hub.audit.heads import public_key_pem
    from hub.audit.keyset import heads_jwks
    from hub.keys import load_keys

    keys = load_keys(_settings())
    if args.jwks:
        print(json.dumps(heads_jwks(keys), indent=2, sort_keys=True))
    else:
        sys.stdout.write(public_key_pem(keys))
    return 0


def cmd_sign(args: argparse.Namespace) -> int:
    """Sign and store a head for the log's current size; print it as JSON."""
    from sqlalchemy.exc import DBAPIError

    from hub.audit.heads import sign_current
    from hub.keys import load_keys

    settings = _settings()
    keys = load_keys(settings)
    try:
        head = _with_database(args, settings, lambda db: sign_current(db, keys))
    except DBAPIError as exc:
        return _error(f"the database refused ({type(exc.orig).__name__})")
    print(json.dumps(head.to_json(), sort_keys=True))
    return 0


def _parse_cutoff(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def cmd_prune(args: argparse.Namespace) -> int:
    """Remove the content of entries older than the cutoff (keeping their leaf hashes)."""
    from sqlalchemy.exc import DBAPIError

    from hub.audit.retention import default_cutoff, prune

    settings = _settings()
    if args.before is None:
        cutoff = default_cutoff(settings)
    else:
        try:
            cutoff = _parse_cutoff(args.before)
        except ValueError:
            return _error(f"--before {args.before!r} is not an ISO date or time")
    try:
        count = _with_database(args, settings, lambda db: prune(db, cutoff))
    except DBAPIError as exc:
        return _error(f"the database refused ({type(exc.orig).__name__})")
    print(f"pruned {count} entries that occurred before {cutoff.isoformat()}")
    return 0
