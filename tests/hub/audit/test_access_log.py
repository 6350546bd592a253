from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.audit.access_log import AccessFacts, AuditUnavailable, PersonOutcome, commit_access
from hub.db.engine import create_engine
from hub.db.models import AccessLogEntry, Subject
from hub.db.session import Database
from hub.identity.subjects import decrypt_rrn, person_id
from hub.keys import load_keys
from hub.settings import Settings

FACTS = AccessFacts(
    request_id="00000000-0000-0000-0000-000000000001",
    agency="MOHW_LOCAL",
    official="kim.01",
    purpose="basic_livelihood_eligibility",
    case_ref="CASE-1",
    client_addr="127.0.0.1",
)


async def test_entries_are_committed_per_person_without_clear_rrn(
    database: Database, data_dir: Path
) -> None:
    keys = load_keys(Settings(data_dir=data_dir))
    outcomes = [
        PersonOutcome("8503142123456", ["earnedIncome", "residentRegistration"], {}),
        PersonOutcome(
            "8503142123456".replace("21234", "21235")[:12] + "0", [], {"land": "SOURCE_UNAVAILABLE"}
        ),
    ]
    assert await commit_access(database, keys, FACTS, outcomes) == 2
    async with database.session() as session:
        rows = (
            (await session.execute(select(AccessLogEntry).order_by(AccessLogEntry.id)))
            .scalars()
            .all()
        )
        assert [r.outcome for r in rows] == ["released", "refused"]
        assert rows[0].released == ["earnedIncome", "residentRegistration"]
        assert rows[1].refused == {"land": "SOURCE_UNAVAILABLE"}
        assert {r.agency for r in rows} == {"MOHW_LOCAL"}
        subject = await session.get(Subject, person_id(keys, "8503142123456"))
        assert subject is not None
        assert b"8503142123456" not in subject.rrn_ciphertext
        assert (
            decrypt_rrn(keys, subject.rrn_key_id, subject.rrn_ciphertext, subject.id)
            == "8503142123456"
        )


async def test_the_same_person_twice_keeps_one_subject(database: Database, data_dir: Path) -> None:
    keys = load_keys(Settings(data_dir=data_dir))
    outcome = [PersonOutcome("8503142123456", ["earnedIncome"], {})]
    await commit_access(database, keys, FACTS, outcome)
    await commit_access(database, keys, FACTS, outcome)
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(Subject)) == 1
        assert await session.scalar(select(func.count()).select_from(AccessLogEntry)) == 2


async def test_unwritable_log_raises_audit_unavailable(tmp_path: Path, data_dir: Path) -> None:
    # A database file that was never migrated: the insert fails like a broken store would.
    database = Database(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"))
    keys = load_keys(Settings(data_dir=data_dir))
    try:
        with pytest.raises(AuditUnavailable):
            await commit_access(database, keys, FACTS, [PersonOutcome("8503142123456", ["x"], {})])
    finally:
        await database.dispose()
