"""committee: an area's agenda-item settings and the committee's decisions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 00:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "committee_settings",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("committee", sa.String(length=200), nullable=True),
        sa.Column("case_number", sa.String(length=100), nullable=True),
        sa.Column("access", sa.String(length=10), nullable=False),
        sa.Column("background", sa.Text(), nullable=True),
        sa.Column("policy", sa.Text(), nullable=True),
        sa.Column("economy", sa.Text(), nullable=True),
        sa.Column("recommendation", sa.Text(), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_committee_settings_area_id_area")
        ),
        sa.PrimaryKeyConstraint("area_id", name=op.f("pk_committee_settings")),
    )
    op.create_table(
        "committee_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("absent", sa.JSON(), nullable=False),
        sa.Column("asks_about", sa.JSON(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_label", sa.String(length=200), nullable=True),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycle.id"], name=op.f("fk_committee_decision_cycle_id_cycle")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["person.id"],
            name=op.f("fk_committee_decision_recorded_by_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_decision")),
    )
    op.create_index(
        op.f("ix_committee_decision_cycle_id"), "committee_decision", ["cycle_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_committee_decision_cycle_id"), table_name="committee_decision")
    op.drop_table("committee_decision")
    op.drop_table("committee_settings")
