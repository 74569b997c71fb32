"""staff sign in with two factors: a TOTP key (encrypted), the last accepted time step,
and single-use recovery codes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


# Reviewed by hand: plain ADD COLUMNs (no batch copy of staff_user) and one new table.
# Existing staff get no key: they set up the second factor at their next sign-in.
# totp_secret holds a Fernet token (crypto.EncryptedText), never the key itself.
def upgrade():
    op.add_column('staff_user', sa.Column('totp_secret', sa.Text(), nullable=True))
    op.add_column('staff_user', sa.Column('totp_enrolled_at', sa.DateTime(), nullable=True))
    op.add_column('staff_user', sa.Column('totp_last_step', sa.Integer(), nullable=True))
    op.create_table('staff_recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_user.id'], name=op.f('fk_staff_recovery_code_staff_id_staff_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_recovery_code'))
    )
    op.create_index(op.f('ix_staff_recovery_code_staff_id'), 'staff_recovery_code',
                    ['staff_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_staff_recovery_code_staff_id'), table_name='staff_recovery_code')
    op.drop_table('staff_recovery_code')
    # Plain DROP COLUMN (SQLite 3.35+), no batch copy.
    op.drop_column('staff_user', 'totp_last_step')
    op.drop_column('staff_user', 'totp_enrolled_at')
    op.drop_column('staff_user', 'totp_secret')
