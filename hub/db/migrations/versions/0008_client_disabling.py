"""oauth clients: disabling, key removal, and the record of who did it when and why

Adds to oauth_clients who disabled a client, when and why, and
tokens_not_before (access tokens of the client issued earlier are refused
at /graphql), and the table oauth_client_changes recording every
disabling, enabling and key removal.

Existing clients keep every new column NULL: enabled, no tokens refused.
Downgrading drops the record of changes; a client that is disabled stays
inactive (the `active` column predates this revision).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("oauth_clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("disabled_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("disabled_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("tokens_not_before", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "oauth_client_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("kid", sa.String(length=255), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["oauth_clients.client_id"],
            name=op.f("fk_oauth_client_changes_client_id_oauth_clients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_client_changes")),
    )
    with op.batch_alter_table("oauth_client_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_oauth_client_changes_client_id"), ["client_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("oauth_client_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_client_changes_client_id"))
    op.drop_table("oauth_client_changes")
    with op.batch_alter_table("oauth_clients", schema=None) as batch_op:
        batch_op.drop_column("tokens_not_before")
        batch_op.drop_column("disabled_reason")
        batch_op.drop_column("disabled_by")
        batch_op.drop_column("disabled_at")
