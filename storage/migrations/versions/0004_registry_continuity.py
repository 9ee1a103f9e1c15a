"""stable initiative keys, descriptions, per-cycle plans, withdrawn entries

``initiative.nr`` is the operator's stable key and ``initiative.description``
the further paragraphs of the Tiltag cell; ``entry.plan`` is the plan as a
cycle reports it (compared with the previous report like a status) and
``entry.withdrawn_at`` marks an entry whose initiative left a running round.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 13:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nr", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column("description", sa.Text(), server_default="", nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_initiative_nr"), ["nr"], unique=False)
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("plan")
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_nr"))
        batch_op.drop_column("description")
        batch_op.drop_column("nr")
