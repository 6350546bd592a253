"""Reading documents to submit: .graphql files and Apollo persisted-query manifests.

Every document is validated against the hub's schema before it is stored,
so a privacy officer never reviews (and an agency never registers) an
operation the hub could not run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
    validate,
)

from hub.documents.ids import document_hash, is_hash

MANIFEST_FORMAT = "apollo-persisted-query-manifest"


class SubmissionError(ValueError):
    """A file or document that cannot be registered; the message says which and why."""


@dataclass(frozen=True)
class Submission:
    """One document ready to store: its exact text, hash and operation names."""

    body: str
    document_hash: str
    operation_names: tuple[str, ...]
    origin: str  # the file (and manifest entry) it came from, for messages


#: A check of a parsed document before validation: a reason to refuse it, or None.
DocumentCheck = Callable[[DocumentNode], str | None]


def operation_names(
    schema: GraphQLSchema, body: str, origin: str, check: DocumentCheck | None = None
) -> tuple[str, ...]:
    """Validate `body` against `schema`; the names of its operations ("" for anonymous).

    `check` runs first (the hub's bound on a document's expanded size, so a
    fragment fan-out is refused before validation or review walks it).
    SubmissionError carries GraphQL's own parse or validation messages.
    """
    try:
        document = parse(body)
    except GraphQLError as exc:
        raise SubmissionError(f"{origin}: does not parse: {exc.message}") from None
    problem = check(document) if check is not None else None
    if problem is not None:
        raise SubmissionError(f"{origin}: {problem}")
    errors = validate(schema, document)
    if errors:
        messages = "; ".join(error.message for error in errors)
        raise SubmissionError(f"{origin}: does not validate against the hub schema: {messages}")
    names = tuple(
        definition.name.value if definition.name is not None else ""
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    )
    if not names:
        raise SubmissionError(f"{origin}: holds no operation")
    return names


def _checked(
    schema: GraphQLSchema,
    body: str,
    origin: str,
    claimed: str | None,
    check: DocumentCheck | None,
) -> Submission:
    digest = document_hash(body)
    if claimed is not None and claimed != digest:
        raise SubmissionError(
            f"{origin}: id {claimed} is not the sha256 of the body ({digest}); "
            "the manifest and the documents disagree"
        )
    return Submission(body, digest, operation_names(schema, body, origin, check), origin)


def _manifest_entries(data: dict[str, Any], origin: str) -> list[tuple[str, str | None]]:
    if data.get("format") != MANIFEST_FORMAT or data.get("version") != 1:
        raise SubmissionError(f"{origin}: not a version 1 {MANIFEST_FORMAT}")
    operations = data.get("operations")
    if not isinstance(operations, list) or not operations:
        raise SubmissionError(f"{origin}: `operations` must be a non-empty list")
    entries: list[tuple[str, str | None]] = []
    for index, item in enumerate(operations):
        where = f"{origin} operations[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("body"), str):
            raise SubmissionError(f"{where}: needs a string `body`")
        claimed = item.get("id")
        if claimed is not None and not (isinstance(claimed, str) and is_hash(claimed)):
            raise SubmissionError(f"{where}: `id` must be a sha256 hex digest")
        entries.append((item["body"], claimed))
    return entries


def read_submissions(
    schema: GraphQLSchema, paths: list[Path], check: DocumentCheck | None = None
) -> list[Submission]:
    """Every document in `paths` (.graphql/.gql files, manifest .json files), all validated.

    Raises SubmissionError at the first file or document that cannot be
    registered, before anything is stored: a submission is all or nothing.
    """
    found: list[Submission] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SubmissionError(f"{path}: cannot read: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise SubmissionError(f"{path}: is not UTF-8 text") from None
        if path.suffix == ".json":
            try:
                data = json.loads(text)
            except ValueError:
                raise SubmissionError(f"{path}: is not JSON") from None
            if not isinstance(data, dict):
                raise SubmissionError(f"{path}: not a version 1 {MANIFEST_FORMAT}")
            for index, (body, claimed) in enumerate(_manifest_entries(data, str(path))):
                origin = f"{path} operations[{index}]"
                found.append(_checked(schema, body, origin, claimed, check))
        elif path.suffix in (".graphql", ".gql"):
            found.append(_checked(schema, text, str(path), None, check))
        else:
            raise SubmissionError(f"{path}: expected a .graphql file or a manifest .json")
    return found
