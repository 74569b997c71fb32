"""possible duplicates and a queue that stays fast: indexes only

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 08:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


# Reviewed by hand: indexes only, no table is copied or rewritten.
# - ix_request_phone: the same-phone rule of admin/duplicates.py (phones are stored
#   E.164: an exact match).  The other two rules use indexes that exist:
#   ix_request_last_name (practice_id, lower(last_name)) and ix_request_email.
# - ix_request_queue gains id, so a queue page's ids come from the index alone and a
#   deep page skips index entries, not table rows (admin/queries.py queue()).
# - ix_account_username_prefix gains practice_id: the username search is one practice's,
#   and without it SQLite preferred scanning the practice's requests (250 ms at 100 000).
def _username_index(scoped: bool) -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    expr = "lower(username)" + (" text_pattern_ops" if postgres else "")
    op.create_index('ix_account_username_prefix', 'patient_account',
                    (["practice_id"] if scoped else []) + [sa.text(expr)])


def upgrade():
    with op.batch_alter_table('enrollment_request', schema=None) as batch_op:
        batch_op.create_index('ix_request_phone', ['practice_id', 'phone'], unique=False)
        batch_op.drop_index('ix_request_queue')
        batch_op.create_index('ix_request_queue',
                              ['practice_id', 'status', 'created_at', 'id'], unique=False)
    op.drop_index('ix_account_username_prefix', table_name='patient_account')
    _username_index(scoped=True)


def downgrade():
    op.drop_index('ix_account_username_prefix', table_name='patient_account')
    _username_index(scoped=False)
    with op.batch_alter_table('enrollment_request', schema=None) as batch_op:
        batch_op.drop_index('ix_request_queue')
        batch_op.create_index('ix_request_queue', ['practice_id', 'status', 'created_at'],
                              unique=False)
        batch_op.drop_index('ix_request_phone')
