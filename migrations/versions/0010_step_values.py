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
def upgrade():
    op.add_column('enrollment_request', sa.Column('step_values', sa.JSON(), nullable=True))


# The shipped steps store nothing there; a step added since may have.  Dropping the column
# would lose what patients submitted, so the downgrade stops while any request holds some.
def downgrade():
    held = op.get_bind().execute(sa.text(
        "SELECT COUNT(*) FROM enrollment_request WHERE step_values IS NOT NULL")).scalar()
    if held:
        raise RuntimeError(
            f"{held} enrollment request(s) hold values of added wizard steps in "
            "enrollment_request.step_values; downgrading below 0010 would lose them. Keep "
            "them elsewhere first, then set the column to NULL and downgrade again.")
    op.drop_column('enrollment_request', 'step_values')
