"""a draft remembers that it passed the human check ("I'm not a robot" once per sign-up)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-10 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


# Reviewed by hand: one plain ADD COLUMN, nullable (drafts made before it ask once more).
def upgrade():
    op.add_column('draft', sa.Column('human_checked_at', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('draft', 'human_checked_at')
