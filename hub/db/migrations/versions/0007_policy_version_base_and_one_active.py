"""policy versions: each proposal names its base; at most one active version

Adds policy_versions.base_version (the version that was active when the
proposal was made; approval is refused once it is no longer active) and a
partial unique index on status = 'active', so the database itself keeps at
most one version active.

Existing rows keep base_version NULL: the base of a proposal made before
this revision is not known, so such a proposal cannot be approved (it is
refused as stale and must be proposed again on top of the active version).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_ACTIVE = "ux_policy_versions_one_active"
ACTIVE_ONLY = sa.text("status = 'active'")


def upgrade() -> None:
    # The race this revision closes may already have left two active rows.
    # Which one the hub was enforcing is not recorded (the lookup took
    # whichever row came first), so choosing is a privacy officer's
    # decision, not a migration's: stop with the versions named.
    active = (
        op.get_bind()
        .execute(
            sa.text("SELECT version FROM policy_versions WHERE status = 'active' ORDER BY version")
        )
        .scalars()
        .all()
    )
    if len(active) > 1:
        listed = ", ".join(str(v) for v in active)
        raise RuntimeError(
            f"policy versions {listed} are all active; set all but one to 'superseded' "
            "before upgrading (at most one version may be active)"
        )
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("base_version", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_policy_versions_base_version_policy_versions"),
            "policy_versions",
            ["base_version"],
            ["version"],
        )
        batch_op.create_index(
            ONE_ACTIVE,
            ["status"],
            unique=True,
            postgresql_where=ACTIVE_ONLY,
            sqlite_where=ACTIVE_ONLY,
        )


def downgrade() -> None:
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.drop_index(ONE_ACTIVE)
        batch_op.drop_constraint(
            batch_op.f("fk_policy_versions_base_version_policy_versions"), type_="foreignkey"
        )
        batch_op.drop_column("base_version")
