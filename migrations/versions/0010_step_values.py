"""the values of wizard steps without columns of their own, on the request

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


# Reviewed by hand: one plain ADD COLUMN, nullable (no batch copy of enrollment_request).
# The downgrade drops the column and with it the values of such steps: no step of the
# flow as shipped stores any (enrollment/steps/__init__.py).
def upgrade():
    op.add_column('enrollment_request', sa.Column('step_values', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('enrollment_request', 'step_values')
