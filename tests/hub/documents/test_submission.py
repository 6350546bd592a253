"""Reading .graphql files and Apollo manifests: every document validated, ids checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.catalog import load_catalog
from hub.documents.ids import InvalidDocumentId, document_hash, parse_document_id
from hub.documents.submission import SubmissionError, read_submissions
from schema.build import build_schema
from tests.hub.documents.helpers import INCOME_QUERY, NAME_QUERY

SCHEMA = build_schema(load_catalog()).schema._schema


def _manifest(path: Path, operations: list[dict[str, object]]) -> Path:
    path.write_text(
        json.dumps(
            {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}
        )
    )
    return path


def test_graphql_file_is_hashed_on_its_exact_text(tmp_path: Path) -> None:
    path = tmp_path / "applicant.graphql"
    path.write_text(NAME_QUERY, encoding="utf-8")
    (found,) = read_submissions(SCHEMA, [path])
    assert found.body == NAME_QUERY
    assert found.document_hash == document_hash(NAME_QUERY)
    assert found.operation_names == ("Applicant",)


def test_manifest_operations_are_read_and_ids_checked(tmp_path: Path) -> None:
    path = _manifest(
        tmp_path / "manifest.json",
        [
            {
                "id": document_hash(NAME_QUERY),
                "name": "Applicant",
                "type": "query",
                "body": NAME_QUERY,
            },
            {"name": "Income", "type": "query", "body": INCOME_QUERY},
        ],
    )
    found = read_submissions(SCHEMA, [path])
    assert [s.document_hash for s in found] == [
        document_hash(NAME_QUERY),
        document_hash(INCOME_QUERY),
    ]
    assert [s.operation_names for s in found] == [("Applicant",), ("Income",)]


def test_manifest_id_that_is_not_the_body_hash_is_refused(tmp_path: Path) -> None:
    path = _manifest(
        tmp_path / "manifest.json",
        [
            {
                "id": document_hash(INCOME_QUERY),
                "name": "Applicant",
                "type": "query",
                "body": NAME_QUERY,
            }
        ],
    )
    with pytest.raises(SubmissionError, match="is not the sha256 of the body"):
        read_submissions(SCHEMA, [path])


def test_document_that_does_not_validate_is_refused_with_graphql_message(tmp_path: Path) -> None:
    path = tmp_path / "bad.graphql"
    path.write_text('query { person(rrn: "1") { salary } }')
    with pytest.raises(SubmissionError, match="Cannot query field 'salary' on type 'Person'"):
        read_submissions(SCHEMA, [path])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("syntax.graphql", "query {", "does not parse"),
        ("fragment.graphql", "fragment F on Person { id }", "does not validate"),
        ("other.txt", NAME_QUERY, "expected a .graphql file"),
        (
            "m.json",
            '{"format": "apollo-persisted-query-manifest", "version": 2}',
            "not a version 1",
        ),
        ("m.json", "[1]", "not a version 1"),
        ("m.json", "{", "is not JSON"),
    ],
)
def test_unreadable_inputs_are_refused(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(SubmissionError, match=message):
        read_submissions(SCHEMA, [path])


def test_document_ids_need_the_sha256_prefix_and_hex() -> None:
    digest = document_hash(NAME_QUERY)
    assert parse_document_id(f"sha256:{digest}") == digest
    for bad in (digest, f"sha256:{digest.upper()}", f"md5:{digest}", "sha256:abc"):
        with pytest.raises(InvalidDocumentId):
            parse_document_id(bad)
