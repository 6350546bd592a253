"""request_plans: what each agency request asked for, for replaying proposed policies

One row per agency request that named a person, written with the request's
access-log entries: agency, purpose, time, the fields selected per type, the
number of persons named, whether it walks households, the policy version and
the query hash. No person is recorded. Existing requests have no row (they
are simply not replayed); downgrading drops the table.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_plans",
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("selected", sa.JSON(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("walks_household", sa.Boolean(), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=True),
        sa.Column("query_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_request_plans")),
    )
    with op.batch_alter_table("request_plans", schema=None) as batch_op:
        batch_op.create_index(
            "ix_request_plans_agency_time", ["agency", "occurred_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("request_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_request_plans_agency_time")
    op.drop_table("request_plans")
