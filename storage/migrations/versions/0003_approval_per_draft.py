"""approvals belong to a draft

An approval counts for the draft it was given on: a newer draft of the same
round needs its approvals again. Existing approvals keep draft 0.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("approval", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("draft_number", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.drop_constraint("uq_approval_cycle_id_person_id_round", type_="unique")
        batch_op.create_unique_constraint(
            "uq_approval_cycle_id_person_id_round_draft_number",
            ["cycle_id", "person_id", "round", "draft_number"],
        )


def downgrade() -> None:
    with op.batch_alter_table("approval", schema=None) as batch_op:
        batch_op.drop_constraint("uq_approval_cycle_id_person_id_round_draft_number", type_="unique")
        batch_op.create_unique_constraint(
            "uq_approval_cycle_id_person_id_round", ["cycle_id", "person_id", "round"]
        )
        batch_op.drop_column("draft_number")
