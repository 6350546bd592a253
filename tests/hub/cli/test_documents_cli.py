"""`ssis-hub documents`: an agency's operations submitted for review, and listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.catalog import load_catalog
from hub.cli.documents import list_lines, read_documents, store_documents
from hub.cli.main import main
from hub.db.session import Database
from hub.documents import store
from hub.documents.ids import document_hash
from hub.documents.store import DocumentStatus
from tests.hub.documents.helpers import INCOME_QUERY, NAME_QUERY, OFFICER

AGENCY = "LOCAL_WELFARE"


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    """A .graphql file and a manifest, as an agency's build produces them."""
    graphql = tmp_path / "applicant.graphql"
    graphql.write_text(NAME_QUERY, encoding="utf-8")
    manifest = tmp_path / "persisted-query-manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [
                    {
                        "id": document_hash(INCOME_QUERY),
                        "name": "Income",
                        "type": "query",
                        "body": INCOME_QUERY,
                    }
                ],
            }
        )
    )
    return [graphql, manifest]


async def test_submit_stores_files_and_manifests_as_pending(
    database: Database, files: list[Path]
) -> None:
    submissions = read_documents(load_catalog(), files)
    lines = await store_documents(database, AGENCY, submissions, "park.07")
    assert lines == [
        f"registered sha256:{document_hash(NAME_QUERY)} [pending] Applicant ({files[0]})",
        f"registered sha256:{document_hash(INCOME_QUERY)} [pending] Income "
        f"({files[1]} operations[0])",
    ]
    pending = await store.list_documents(database, AGENCY, DocumentStatus.PENDING)
    assert {d.document_hash for d in pending} == {
        document_hash(NAME_QUERY),
        document_hash(INCOME_QUERY),
    }
    again = await store_documents(database, AGENCY, submissions[:1], "park.07")
    assert again[0].startswith("unchanged ")


async def test_list_shows_status_and_decisions(database: Database, files: list[Path]) -> None:
    submissions = read_documents(load_catalog(), files)
    await store_documents(database, AGENCY, submissions, "park.07")
    await store.decide(
        database, AGENCY, document_hash(INCOME_QUERY), OFFICER, "reject", "too broad"
    )
    rejected = await list_lines(database, AGENCY, DocumentStatus.REJECTED)
    assert len(rejected) == 1
    assert rejected[0].startswith(f"{AGENCY} sha256:{document_hash(INCOME_QUERY)} rejected Income")
    assert f"rejected by {OFFICER}" in rejected[0] and rejected[0].endswith(": too broad")
    assert await list_lines(database, "NPS", None) == []


def test_a_document_that_does_not_validate_is_refused_and_nothing_stored(
    tmp_path: Path, files: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.graphql"
    bad.write_text('query { person(rrn: "x") { salary } }')
    # The database URL would fail if reached: validation refuses first.
    missing = f"sqlite+aiosqlite:///{tmp_path / 'absent' / 'hub.db'}"
    status = main(
        ["documents", "submit", "--agency", AGENCY, "--by", "park.07", "--database-url", missing]
        + [str(p) for p in [*files, bad]]
    )
    assert status == 2
    err = capsys.readouterr().err
    assert "Cannot query field 'salary' on type 'Person'" in err
    assert "nothing was submitted" in err


def test_manifest_id_mismatch_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "m.json"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [
                    {"id": "0" * 64, "name": "Applicant", "type": "query", "body": NAME_QUERY}
                ],
            }
        )
    )
    assert main(["documents", "submit", "--agency", AGENCY, "--by", "p", str(manifest)]) == 2
    assert "is not the sha256 of the body" in capsys.readouterr().err


def test_unknown_agency_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "q.graphql"
    path.write_text(NAME_QUERY)
    assert main(["documents", "submit", "--agency", "NOBODY", "--by", "p", str(path)]) == 2
    assert "unknown agency 'NOBODY'" in capsys.readouterr().err


def test_a_fan_out_document_is_refused_at_submission(tmp_path: Path) -> None:
    from hub.documents.submission import SubmissionError
    from tests.hub.admin.test_document_review import _fan_out

    path = tmp_path / "fan.graphql"
    path.write_text(_fan_out(30))
    with pytest.raises(SubmissionError, match="expands to more than 2000 field selections"):
        read_documents(load_catalog(), [path], max_selections=2000)
