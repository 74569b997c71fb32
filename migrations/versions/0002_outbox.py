"""outbox, email confirmation (and the robot check's used_challenge table)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 07:02:17.312020

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed by hand: names follow extensions.NAMING on SQLite and PostgreSQL.
    # outbox_message: every email, written in the transaction that causes it (outbox/).
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('template', sa.String(length=60), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('to_addr', sa.String(length=254), nullable=False),
    sa.Column('from_name', sa.String(length=120), nullable=False),
    sa.Column('reply_to', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('lease_owner', sa.String(length=64), nullable=True),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_message_message_id'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        # What the sender asks on every pass: pending rows, by when they are due.
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)

    # email_confirmation: single-use links, only their SHA-256 stored.
    op.create_table('email_confirmation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['enrollment_request.id'], name=op.f('fk_email_confirmation_request_id_enrollment_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_confirmation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_email_confirmation_token_hash'))
    )
    with op.batch_alter_table('email_confirmation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_confirmation_request_id'), ['request_id'], unique=False)

    # Two nullable columns: on SQLite a plain ADD COLUMN, no table copy.
    with op.batch_alter_table('enrollment_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmation_sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(), nullable=True))

    # used_challenge: the robot check's spent challenges (enrollment/human_check.py),
    # whose model arrived without a migration of its own.
    op.create_table('used_challenge',
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('nonce', name=op.f('pk_used_challenge'))
    )
    with op.batch_alter_table('used_challenge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_challenge_expires_at'), ['expires_at'], unique=False)


def downgrade():
    # Reviewed by hand: names follow extensions.NAMING on SQLite and PostgreSQL.
    with op.batch_alter_table('used_challenge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_challenge_expires_at'))

    op.drop_table('used_challenge')

    # NOT batch mode: on SQLite a batch drop_column copies the table and DROPs the old
    # enrollment_request, which with foreign keys on would cascade to appointment
    # requests and clear drafts' links.  ALTER TABLE ... DROP COLUMN (SQLite 3.35+ and
    # PostgreSQL) drops these plain columns in place.
    op.drop_column('enrollment_request', 'email_confirmed_at')
    op.drop_column('enrollment_request', 'confirmation_sent_at')

    with op.batch_alter_table('email_confirmation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_confirmation_request_id'))

    op.drop_table('email_confirmation')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')

    op.drop_table('outbox_message')
