"""a queue that stays fast: the prefix-search indexes end with created_at and id

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 10:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


# Reviewed by hand: indexes only.  A name or email search answers the newest 50 of all
# that match; with (created_at, id) in the index those 50 are found in the index alone,
# and only their rows are read (admin/queries.py search()).
PREFIX = ("last_name", "first_name", "email")


def _create(covering: bool) -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for column in PREFIX:
        expr = f"lower({column})" + (" text_pattern_ops" if postgres else "")
        tail = ["created_at", "id"] if covering else []
        op.create_index(f"ix_request_{column}", "enrollment_request",
                        ["practice_id", sa.text(expr)] + tail)


def _drop() -> None:
    for column in PREFIX:
        op.drop_index(f"ix_request_{column}", table_name="enrollment_request")


def upgrade():
    _drop()
    _create(covering=True)


def downgrade():
    _drop()
    _create(covering=False)
