"""`ssis-hub documents`: submit an agency's operations for review, and list them.

`submit` takes .graphql files and Apollo persisted-query manifests, checks
every manifest id against its body and validates every document against
the hub's schema before storing anything; submitted documents are
`pending` until a privacy officer approves them at /admin/graphql.
Exit statuses: 0 done, 2 refused input (nothing stored).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hub.catalog.model import Catalog
    from hub.db.session import Database
    from hub.documents.store import DocumentInfo, DocumentStatus, Submitted
    from hub.documents.submission import Submission

STATUSES = ("pending", "approved", "rejected", "revoked")


def add_documents_parser(sub: Any) -> None:
    """Add `documents submit|list` to the subcommands of `ssis-hub`."""
    parser = sub.add_parser("documents", help="register and list agencies' trusted documents")
    commands = parser.add_subparsers(dest="documents_command", required=True)

    p = commands.add_parser("submit", help="submit .graphql files or manifests for review")
    p.add_argument("--agency", required=True, help="the agency code, e.g. LOCAL_WELFARE")
    p.add_argument("--by", required=True, help="the submitting official's id (kept for review)")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help=".graphql or manifest")
    p.add_argument("--database-url", help="override HUB_DATABASE_URL")
    p.set_defaults(func=cmd_submit)

    p = commands.add_parser("list", help="list registered documents")
    p.add_argument("--agency", help="only this agency's")
    p.add_argument("--status", choices=STATUSES, help="only documents in this status")
    p.add_argument("--database-url", help="override HUB_DATABASE_URL")
    p.set_defaults(func=cmd_list)


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def read_documents(
    catalog: Catalog, paths: Sequence[Path], max_selections: int | None = None
) -> list[Submission]:
    """Every document in `paths`, validated against the agencies' schema (SubmissionError).

    With `max_selections` (the agency's HUB_LIMITS bound), a document that
    expands past it once its fragments are spread is refused, as the
    agencies' endpoint would refuse it.
    """
    from graphql import DocumentNode, GraphQLError

    from hub.documents.submission import read_submissions
    from schema.build import build_schema
    from schema.limits import check_selections
    from schema.shape import DocumentShape

    def bounded(document: DocumentNode) -> str | None:
        if max_selections is None:
            return None
        try:
            check_selections(DocumentShape(document), max_selections)
        except GraphQLError as exc:
            return exc.message
        return None

    return read_submissions(build_schema(catalog).schema._schema, list(paths), bounded)


async def store_documents(
    database: Database, agency: str, submissions: Sequence[Submission], by: str
) -> list[str]:
    """Store `submissions` as pending; one line per document saying what happened."""
    from hub.documents import store
    from hub.documents.ids import document_id

    results: list[Submitted] = await store.submit(database, agency, submissions, by)
    lines = []
    for submission, result in zip(submissions, results, strict=True):
        names = ", ".join(n or "(anonymous)" for n in submission.operation_names)
        status = result.document.status
        lines.append(
            f"{result.outcome} {document_id(submission.document_hash)} [{status}] "
            f"{names} ({submission.origin})"
        )
    return lines


async def list_lines(
    database: Database, agency: str | None, status: DocumentStatus | None
) -> list[str]:
    """One line per registered document: agency, id, status, operations, who and when."""
    from hub.documents import store
    from hub.documents.ids import document_id

    found: list[DocumentInfo] = await store.list_documents(database, agency, status)
    lines = []
    for doc in found:
        names = ", ".join(n or "(anonymous)" for n in doc.operation_names)
        line = (
            f"{doc.agency} {document_id(doc.document_hash)} {doc.status} {names} "
            f"submitted by {doc.submitted_by} {doc.submitted_at:%Y-%m-%d %H:%M}"
        )
        if doc.reviewed_by is not None and doc.reviewed_at is not None:
            line += f"; {doc.status} by {doc.reviewed_by} {doc.reviewed_at:%Y-%m-%d %H:%M}"
            if doc.review_note:
                line += f": {doc.review_note}"
        lines.append(line)
    return lines


def _on_database(url: str | None, work: Any) -> list[str]:
    from hub.db.session import Database
    from hub.settings import Settings

    async def run() -> list[str]:
        database = Database.from_url(url or Settings().effective_database_url)
        try:
            result: list[str] = await work(database)
            return result
        finally:
            await database.dispose()

    return asyncio.run(run())


def cmd_submit(args: argparse.Namespace) -> int:
    """Validate every file's documents, then store them all as pending (or none)."""
    from sqlalchemy.exc import DBAPIError

    from hub.catalog import load_catalog
    from hub.documents.store import DocumentError
    from hub.documents.submission import SubmissionError

    catalog = load_catalog()
    agency = args.agency.strip().upper()
    if catalog.agency(agency) is None:
        return _error(f"unknown agency {args.agency!r}")
    from hub.settings import Settings

    try:
        bound = Settings().limits_for(agency).max_selections
        submissions = read_documents(catalog, args.files, bound)
    except SubmissionError as exc:
        return _error(f"{exc}; nothing was submitted")
    try:
        lines = _on_database(
            args.database_url,
            lambda db: store_documents(db, agency, submissions, args.by),
        )
    except DocumentError as exc:
        return _error(str(exc))
    except DBAPIError as exc:
        return _error(
            f"the database refused ({type(exc.orig).__name__}); has `ssis-hub migrate` been run?"
        )
    print("\n".join(lines))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """Print the registered documents."""
    from sqlalchemy.exc import DBAPIError

    from hub.documents.store import DocumentStatus

    agency = args.agency.strip().upper() if args.agency else None
    status = DocumentStatus(args.status) if args.status else None
    try:
        lines = _on_database(args.database_url, lambda db: list_lines(db, agency, status))
    except DBAPIError as exc:
        return _error(
            f"the database refused ({type(exc.orig).__name__}); has `ssis-hub migrate` been run?"
        )
    if lines:
        print("\n".join(lines))
    return 0
