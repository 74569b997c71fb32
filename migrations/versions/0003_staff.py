"""staff dashboard: staff, server-side sessions, decisions, audit trail, search indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 07:33:15.895086

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


# Search from the start of a name, email or username, lower-cased (admin/queries.py).
# On PostgreSQL text_pattern_ops lets LIKE 'abc%' use the index under any collation;
# SQLite compares in binary order, where the range the query uses fits the index.
PREFIX_INDEXES = [
    ("ix_request_last_name", "enrollment_request", "last_name", True),
    ("ix_request_first_name", "enrollment_request", "first_name", True),
    ("ix_request_email", "enrollment_request", "email", True),
    ("ix_account_username_prefix", "patient_account", "username", False),
]


def _prefix_indexes():
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table, column, scoped in PREFIX_INDEXES:
        expr = f"lower({column})" + (" text_pattern_ops" if postgres else "")
        op.create_index(name, table, (["practice_id"] if scoped else []) + [sa.text(expr)])


def upgrade():
    # Reviewed by hand: names follow extensions.NAMING on SQLite and PostgreSQL; only
    # new tables, indexes and ADD COLUMN (no table copy of practice or requests).
    # auth_session: one row per signed-in session; the cookie holds the token, this its
    # SHA-256 (auth/sessions.py).
    op.create_table('auth_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_auth_session_token_hash'))
    )
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.create_index('ix_auth_session_user', ['kind', 'user_id'], unique=False)

    # staff_user: one practice each, role staff or admin; email stored lower-cased.
    op.create_table('staff_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('disabled_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_staff_user_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_user')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_user_email'))
    )
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_user_practice_id'), ['practice_id'], unique=False)

    # audit_event: append-only (nothing in the app updates or deletes it).
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.String(length=40), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_audit_event_practice_id_practice')),
    sa.ForeignKeyConstraint(['request_id'], ['enrollment_request.id'], name=op.f('fk_audit_event_request_id_enrollment_request')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_user.id'], name=op.f('fk_audit_event_staff_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_request', ['practice_id', 'request_id', 'created_at'], unique=False)
        batch_op.create_index('ix_audit_staff', ['practice_id', 'staff_id', 'created_at'], unique=False)

    # enrollment_decision: at most one per request (unique), with the internal note.
    op.create_table('enrollment_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['enrollment_request.id'], name=op.f('fk_enrollment_decision_request_id_enrollment_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_user.id'], name=op.f('fk_enrollment_decision_staff_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollment_decision')),
    sa.UniqueConstraint('request_id', name=op.f('uq_enrollment_decision_request_id'))
    )
    with op.batch_alter_table('enrollment_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrollment_decision_staff_id'), ['staff_id'], unique=False)

    with op.batch_alter_table('enrollment_request', schema=None) as batch_op:
        batch_op.create_index('ix_request_dob', ['practice_id', 'date_of_birth'], unique=False)

    # Practice settings: which rejection reasons its staff are offered (NULL: all), and
    # the new-request notice to its reply-to address (on by default, existing rows too).
    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rejection_reasons', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('notify_new_requests', sa.Boolean(), server_default=sa.true(), nullable=False))

    _prefix_indexes()


def downgrade():
    # Reviewed by hand.  NOT batch mode for practice: on SQLite a batch drop_column
    # copies the table and DROPs the old one, which foreign keys referencing practice
    # forbid; ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL) drops them in place.
    for name, table, _column, _scoped in reversed(PREFIX_INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_column('practice', 'notify_new_requests')
    op.drop_column('practice', 'rejection_reasons')

    with op.batch_alter_table('enrollment_request', schema=None) as batch_op:
        batch_op.drop_index('ix_request_dob')

    with op.batch_alter_table('enrollment_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrollment_decision_staff_id'))

    op.drop_table('enrollment_decision')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_staff')
        batch_op.drop_index('ix_audit_request')

    op.drop_table('audit_event')
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_user_practice_id'))

    op.drop_table('staff_user')
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_index('ix_auth_session_user')

    op.drop_table('auth_session')
