"""trusted documents: operations registered per agency by hash, reviewed by officers

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trusted_documents",
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("document_hash", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("operation_names", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitted_by", sa.String(length=129), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=129), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("agency", "document_hash", name=op.f("pk_trusted_documents")),
    )
    with op.batch_alter_table("trusted_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trusted_documents_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("trusted_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trusted_documents_status"))
    op.drop_table("trusted_documents")
