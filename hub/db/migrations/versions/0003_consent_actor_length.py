"""consent actors long enough for client_id:official

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _resize(old: int, new: int) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        # SQLite changes a column by rebuilding the table, and cannot drop
        # `consents` while consent_events rows reference it under live foreign
        # keys: the events wait aside meanwhile (same transaction).
        op.execute(
            "CREATE TEMPORARY TABLE _events_aside AS "
            "SELECT id, consent_id, at, actor, action, reason FROM consent_events"
        )
        op.execute("DELETE FROM consent_events")
    for table, column in (("consents", "recorded_by"), ("consent_events", "actor")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=sa.String(length=old),
                type_=sa.String(length=new),
                existing_nullable=False,
            )
    if sqlite:
        op.execute(
            "INSERT INTO consent_events (id, consent_id, at, actor, action, reason) "
            "SELECT id, consent_id, at, actor, action, reason FROM _events_aside"
        )
        op.execute("DROP TABLE _events_aside")


def upgrade() -> None:
    # A consent-manager channel is recorded as `client_id:official`, each part
    # up to 64 characters.
    _resize(64, 129)


def downgrade() -> None:
    _resize(129, 64)
