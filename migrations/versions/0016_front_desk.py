"""the front desk: names searched by the keyed hashes of their folded words; a section
of a request as it was before the patient corrected it; staff searches kept with the
staff session (the URL holds only a random id)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-12 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import crypto


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

BATCH = 500


# Reviewed by hand.  Three new tables and an index of the pending queue's order; the words of the requests already there are
# computed here with the app's index key (`flask db upgrade` runs in the app's context,
# as 0015 did).  The downgrade drops both tables (what they hold is derived, or a
# history the older code did not keep).
def upgrade():
    op.create_table(
        'request_name_word',
        sa.Column('request_id', sa.Integer(),
                  sa.ForeignKey('enrollment_request.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('word_hash', sa.String(64), primary_key=True),
        sa.Column('practice_id', sa.Integer(), sa.ForeignKey('practice.id'),
                  nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False))
    op.create_index('ix_name_word_search', 'request_name_word',
                    ['practice_id', 'word_hash', 'created_at', 'request_id'])
    op.create_table(
        'request_revision',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('request_id', sa.Integer(),
                  sa.ForeignKey('enrollment_request.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('info_request_id', sa.Integer(),
                  sa.ForeignKey('info_request.id', ondelete='SET NULL'), nullable=True),
        sa.Column('section', sa.String(40), nullable=False),
        sa.Column('values', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False))
    op.create_index('ix_request_revision_request_id', 'request_revision', ['request_id'])
    op.create_table(
        'staff_search',
        sa.Column('id', sa.String(32), primary_key=True),
        sa.Column('auth_session_id', sa.Integer(),
                  sa.ForeignKey('auth_session.id', ondelete='CASCADE'), nullable=False),
        sa.Column('by', sa.String(20), nullable=False),
        sa.Column('terms', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False))
    op.create_index('ix_staff_search_auth_session_id', 'staff_search', ['auth_session_id'])
    op.create_index('ix_request_updated', 'enrollment_request',
                    ['practice_id', 'status', 'resubmitted_at', 'created_at', 'id'])
    op.create_index('ix_request_fresh', 'enrollment_request',
                    ['practice_id', 'status', 'created_at', 'id'],
                    postgresql_where=sa.text('resubmitted_at IS NULL'),
                    sqlite_where=sa.text('resubmitted_at IS NULL'))
    _index_names()


def _index_names() -> None:
    from enrollment.name_words import rows_for
    bind, last = op.get_bind(), 0
    words = sa.table('request_name_word', sa.column('request_id'), sa.column('word_hash'),
                     sa.column('practice_id'), sa.column('created_at'))
    crypto.keys()   # the app's keys: fail early, before any row, without them
    while True:
        batch = bind.execute(sa.text(
            'SELECT id, practice_id, created_at, first_name, middle_name, last_name '
            'FROM enrollment_request WHERE id > :last ORDER BY id LIMIT :n'),
            {'last': last, 'n': BATCH}).all()
        if not batch:
            return
        rows = [r for row in batch for r in rows_for(*row)]
        if rows:
            bind.execute(sa.insert(words), rows)
        last = batch[-1][0]


def downgrade():
    op.drop_index('ix_request_fresh', table_name='enrollment_request')
    op.drop_index('ix_request_updated', table_name='enrollment_request')
    op.drop_index('ix_staff_search_auth_session_id', table_name='staff_search')
    op.drop_table('staff_search')
    op.drop_index('ix_request_revision_request_id', table_name='request_revision')
    op.drop_table('request_revision')
    op.drop_index('ix_name_word_search', table_name='request_name_word')
    op.drop_table('request_name_word')
