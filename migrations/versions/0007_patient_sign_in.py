"""patients sign in: failure counters, recovery links, "needs information" requests

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 10:00:00

"""
from alembic import op
from alembic.util import CommandError
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


# Reviewed by hand.  Plain ADD/DROP COLUMNs, never a batch copy of patient_account or
# enrollment_request (SQLite would copy them and lose their expression indexes); two new
# tables, one index, and one batch alter: audit_event.staff_id becomes nullable (a
# patient's resubmission is audited without a staff member).  On SQLite that copies
# audit_event, which no foreign key references, so no cascade can fire.
# The copy reflects audit_event alone: following its foreign keys would reflect
# enrollment_request and patient_account too, whose expression indexes SQLite cannot
# reflect (a "Skipped unsupported reflection" SAWarning for each on every upgrade).  The
# copy keeps audit_event's foreign keys either way; it needs only their table names.
AUDIT_ONLY = {"resolve_fks": False}


def upgrade():
    op.add_column('patient_account', sa.Column('failed_logins', sa.Integer(),
                                               server_default='0', nullable=False))
    op.add_column('patient_account', sa.Column('recovery_failures', sa.Integer(),
                                               server_default='0', nullable=False))
    op.add_column('patient_account', sa.Column('recovery_locked_until', sa.DateTime(),
                                               nullable=True))
    op.add_column('enrollment_request', sa.Column('resubmitted_at', sa.DateTime(),
                                                  nullable=True))
    op.create_index('ix_request_email_any', 'enrollment_request', [sa.text('lower(email)')])
    with op.batch_alter_table('audit_event', reflect_kwargs=AUDIT_ONLY) as batch_op:
        batch_op.alter_column('staff_id', existing_type=sa.Integer(), nullable=True)

    op.create_table('recovery_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['patient_account.id'], name=op.f('fk_recovery_token_account_id_patient_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_recovery_token_token_hash'))
    )
    op.create_index(op.f('ix_recovery_token_account_id'), 'recovery_token', ['account_id'],
                    unique=False)

    op.create_table('info_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=2000), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['enrollment_request.id'], name=op.f('fk_info_request_request_id_enrollment_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_user.id'], name=op.f('fk_info_request_staff_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_info_request'))
    )
    op.create_index(op.f('ix_info_request_request_id'), 'info_request', ['request_id'],
                    unique=False)


def _refuse_while_patients_are_audited():
    """0006 wants a staff member on every audit row.  Rows without one record what
    patients did (resubmissions); the audit trail is never deleted or rewritten, so the
    downgrade stops here, before changing anything, while such rows exist."""
    audit = sa.table('audit_event', sa.column('staff_id'))
    patients = op.get_bind().execute(sa.select(sa.func.count()).select_from(audit)
                                     .where(audit.c.staff_id.is_(None))).scalar()
    if patients:
        raise CommandError(
            f"Cannot downgrade below revision 0007: audit_event holds {patients} row(s) "
            "without a staff member (actions by patients), and revision 0006 requires "
            "audit_event.staff_id on every row.  Audit rows are never deleted or "
            "rewritten by a migration, so this database stays at revision 0007 or later.")


def downgrade():
    _refuse_while_patients_are_audited()
    op.drop_index(op.f('ix_info_request_request_id'), table_name='info_request')
    op.drop_table('info_request')
    op.drop_index(op.f('ix_recovery_token_account_id'), table_name='recovery_token')
    op.drop_table('recovery_token')
    with op.batch_alter_table('audit_event', reflect_kwargs=AUDIT_ONLY) as batch_op:
        batch_op.alter_column('staff_id', existing_type=sa.Integer(), nullable=False)
    op.drop_index('ix_request_email_any', table_name='enrollment_request')
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would lose the expression indexes.
    op.drop_column('enrollment_request', 'resubmitted_at')
    op.drop_column('patient_account', 'recovery_locked_until')
    op.drop_column('patient_account', 'recovery_failures')
    op.drop_column('patient_account', 'failed_logins')
