"""staff accounts lock after consecutive failed sign-ins

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 10:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


# Reviewed by hand: one plain ADD COLUMN (no batch copy of staff_user).
def upgrade():
    op.add_column('staff_user', sa.Column('failed_logins', sa.Integer(), server_default='0',
                                          nullable=False))


def downgrade():
    op.drop_column('staff_user', 'failed_logins')
