"""the terms of use and privacy notice as links: a practice's own URL and version (empty:
the portal's built-in page and TERMS_VERSION), and the URL recorded with each consent

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


# Reviewed by hand: plain ADD COLUMNs (no table rebuilt), NOT NULL with an empty default (a practice uses
# the built-in page; a request made before recorded no URL).  Downgrade drops them.
def upgrade():
    op.add_column('practice', sa.Column('terms_url', sa.String(length=500), nullable=False,
                                        server_default=''))
    op.add_column('practice', sa.Column('terms_version', sa.String(length=20),
                                        nullable=False, server_default=''))
    op.add_column('enrollment_request', sa.Column('terms_url', sa.String(length=500),
                                                  nullable=False, server_default=''))


def downgrade():
    op.drop_column('enrollment_request', 'terms_url')
    op.drop_column('practice', 'terms_version')
    op.drop_column('practice', 'terms_url')
