"""abuse-proof mail and sign-in: keyed hashes of usernames and addresses, confirmation
links bound to their address, request references, sign-in throttling, outbox jobs

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 10:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"   # enrollment/references.py


# Reviewed by hand: plain ADD COLUMNs and CREATE INDEX (no batch copy), one new table,
# then the existing rows filled in:
# - the keyed hashes (crypto.name_hash: PORTAL_INDEX_KEY, as the app computes them) of
#   every request's address, account's username and staff member's address;
# - a request whose address was confirmed keeps it confirmed (its hash is stored as
#   the confirmed one); an unused confirmation link is bound to its request's address;
# - every request gets a reference of its own.
def upgrade():
    op.add_column('enrollment_request', sa.Column('email_hash', sa.String(length=64),
                                                  nullable=True))
    op.add_column('enrollment_request', sa.Column('email_confirmed_hash',
                                                  sa.String(length=64), nullable=True))
    op.add_column('enrollment_request', sa.Column('reference', sa.String(length=12),
                                                  nullable=True))
    op.add_column('patient_account', sa.Column('throttled_until', sa.DateTime(),
                                               nullable=True))
    op.add_column('patient_account', sa.Column('username_hash', sa.String(length=64),
                                               nullable=True))
    op.add_column('staff_user', sa.Column('email_hash', sa.String(length=64), nullable=True))
    op.add_column('staff_user', sa.Column('throttled_until', sa.DateTime(), nullable=True))
    op.add_column('email_confirmation', sa.Column('email_hash', sa.String(length=64),
                                                  nullable=True))
    op.add_column('outbox_message', sa.Column('kind', sa.String(length=10),
                                              server_default='email', nullable=False))
    op.add_column('outbox_message', sa.Column('payload', sa.String(length=128),
                                              server_default='', nullable=False))
    op.create_table('login_throttle',
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('throttled_until', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key_hash', name=op.f('pk_login_throttle'))
    )
    op.create_index(op.f('ix_login_throttle_expires_at'), 'login_throttle', ['expires_at'],
                    unique=False)
    _fill()
    op.create_index('ix_request_email_hash', 'enrollment_request', ['email_hash'],
                    unique=False)
    op.create_index('ix_request_reference', 'enrollment_request', ['reference'], unique=True)
    op.create_index(op.f('ix_patient_account_username_hash'), 'patient_account',
                    ['username_hash'], unique=False)
    op.create_index(op.f('ix_staff_user_email_hash'), 'staff_user', ['email_hash'],
                    unique=False)


def _name_hash(value):
    import crypto
    return crypto.name_hash(value)


def _fill():
    bind = op.get_bind()
    requests = sa.table('enrollment_request', sa.column('id'), sa.column('email'),
                        sa.column('email_hash'), sa.column('email_confirmed_at'),
                        sa.column('email_confirmed_hash'), sa.column('reference'))
    links = sa.table('email_confirmation', sa.column('request_id'),
                     sa.column('email_hash'), sa.column('used_at'))
    taken = set()
    for row in bind.execute(sa.select(requests.c.id, requests.c.email,
                                      requests.c.email_confirmed_at)).all():
        digest = _name_hash(row.email)
        reference = _reference(taken)
        bind.execute(sa.update(requests).where(requests.c.id == row.id).values(
            email_hash=digest, reference=reference,
            email_confirmed_hash=digest if row.email_confirmed_at is not None else None))
        bind.execute(sa.update(links).where(links.c.request_id == row.id,
                                            links.c.used_at.is_(None))
                     .values(email_hash=digest))
    for name, column in (('patient_account', 'username'), ('staff_user', 'email')):
        table = sa.table(name, sa.column('id'), sa.column(column),
                         sa.column(f'{column}_hash'))
        for key, value in bind.execute(sa.select(table.c.id, table.c[column])).all():
            bind.execute(sa.update(table).where(table.c.id == key)
                         .values({f'{column}_hash': _name_hash(value)}))


def _reference(taken: set) -> str:
    while True:
        candidate = "R-" + "".join(secrets.choice(ALPHABET) for _ in range(6))
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def downgrade():
    # Plain DROP INDEX / DROP COLUMN (SQLite 3.35+), no batch copy.  Jobs still waiting
    # in the outbox are dropped first: without `kind` they would read as emails.
    op.execute("DELETE FROM outbox_message WHERE kind = 'job'")
    op.drop_index(op.f('ix_staff_user_email_hash'), table_name='staff_user')
    op.drop_index(op.f('ix_patient_account_username_hash'), table_name='patient_account')
    op.drop_index('ix_request_reference', table_name='enrollment_request')
    op.drop_index('ix_request_email_hash', table_name='enrollment_request')
    op.drop_index(op.f('ix_login_throttle_expires_at'), table_name='login_throttle')
    op.drop_table('login_throttle')
    op.drop_column('outbox_message', 'payload')
    op.drop_column('outbox_message', 'kind')
    op.drop_column('email_confirmation', 'email_hash')
    op.drop_column('staff_user', 'throttled_until')
    op.drop_column('staff_user', 'email_hash')
    op.drop_column('patient_account', 'username_hash')
    op.drop_column('patient_account', 'throttled_until')
    op.drop_column('enrollment_request', 'reference')
    op.drop_column('enrollment_request', 'email_confirmed_hash')
    op.drop_column('enrollment_request', 'email_hash')
