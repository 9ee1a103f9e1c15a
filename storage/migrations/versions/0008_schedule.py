"""recurring rounds: an area's schedule and its rounds (planned, postponed, skipped, opened)

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-07 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "area_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("as_of_dates", sa.String(length=200), nullable=False),
        sa.Column("open_before_days", sa.Integer(), nullable=False),
        sa.Column("answer_days", sa.Integer(), nullable=False),
        sa.Column("reminders", sa.String(length=100), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_area_schedule_area_id_area")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_schedule")),
        sa.UniqueConstraint("area_id", name=op.f("uq_area_schedule_area_id")),
    )
    op.create_table(
        "scheduled_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_scheduled_round_area_id_area")
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycle.id"], name=op.f("fk_scheduled_round_cycle_id_cycle")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_round")),
        sa.UniqueConstraint("area_id", "as_of", name=op.f("uq_scheduled_round_area_id_as_of")),
    )
    with op.batch_alter_table("scheduled_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scheduled_round_area_id"), ["area_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scheduled_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduled_round_area_id"))
    op.drop_table("scheduled_round")
    op.drop_table("area_schedule")
