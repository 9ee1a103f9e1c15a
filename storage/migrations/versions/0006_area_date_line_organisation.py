"""area: date line above the report's title, organisation as author

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-01 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.add_column(sa.Column("date_line", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("organisation", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.drop_column("organisation")
        batch_op.drop_column("date_line")
