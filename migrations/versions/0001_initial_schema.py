"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 06:52:31.274258

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed by hand: names follow extensions.NAMING on SQLite and PostgreSQL.
    op.create_table('practice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('street', sa.String(length=120), nullable=False),
    sa.Column('city', sa.String(length=80), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('zip_code', sa.String(length=10), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('reply_to', sa.String(length=254), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('appointments_enabled', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice')),
    sa.UniqueConstraint('slug', name=op.f('uq_practice_slug'))
    )
    op.create_table('location',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=250), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_location_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location'))
    )
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_location_practice_id'), ['practice_id'], unique=False)

    op.create_table('patient_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=50), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_patient_account_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_account')),
    sa.UniqueConstraint('username', name=op.f('uq_patient_account_username'))
    )
    with op.batch_alter_table('patient_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_account_practice_id'), ['practice_id'], unique=False)

    op.create_table('provider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_provider_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider'))
    )
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_practice_id'), ['practice_id'], unique=False)

    op.create_table('enrollment_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('first_name', sa.String(length=60), nullable=False),
    sa.Column('middle_name', sa.String(length=60), nullable=False),
    sa.Column('last_name', sa.String(length=60), nullable=False),
    sa.Column('street', sa.String(length=120), nullable=False),
    sa.Column('line2', sa.String(length=120), nullable=False),
    sa.Column('city', sa.String(length=80), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('zip_code', sa.String(length=10), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('insurance_carrier', sa.String(length=120), nullable=False),
    sa.Column('insurance_member_id', sa.String(length=40), nullable=False),
    sa.Column('insurance_group', sa.String(length=40), nullable=False),
    sa.Column('subscriber_name', sa.String(length=120), nullable=False),
    sa.Column('subscriber_relationship', sa.String(length=20), nullable=False),
    sa.Column('claim_street', sa.String(length=120), nullable=False),
    sa.Column('claim_line2', sa.String(length=120), nullable=False),
    sa.Column('claim_city', sa.String(length=80), nullable=False),
    sa.Column('claim_state', sa.String(length=2), nullable=False),
    sa.Column('claim_zip', sa.String(length=10), nullable=False),
    sa.Column('terms_version', sa.String(length=20), nullable=False),
    sa.Column('terms_accepted_at', sa.DateTime(), nullable=False),
    sa.Column('email_consent_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['patient_account.id'], name=op.f('fk_enrollment_request_account_id_patient_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_enrollment_request_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollment_request'))
    )
    with op.batch_alter_table('enrollment_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrollment_request_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_request_queue', ['practice_id', 'status', 'created_at'], unique=False)

    op.create_table('security_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=40), nullable=False),
    sa.Column('answer_hash', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['patient_account.id'], name=op.f('fk_security_answer_account_id_patient_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_answer')),
    sa.UniqueConstraint('account_id', 'question', name='uq_answer_question')
    )
    with op.batch_alter_table('security_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_answer_account_id'), ['account_id'], unique=False)

    op.create_table('appointment_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('preferred_days', sa.String(length=40), nullable=False),
    sa.Column('preferred_times', sa.String(length=40), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment_request.id'], name=op.f('fk_appointment_request_enrollment_id_enrollment_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_appointment_request_location_id_location')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_appointment_request_practice_id_practice')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_appointment_request_provider_id_provider')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_request')),
    sa.UniqueConstraint('enrollment_id', name=op.f('uq_appointment_request_enrollment_id'))
    )
    with op.batch_alter_table('appointment_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_request_practice_id'), ['practice_id'], unique=False)

    op.create_table('draft',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('clean', sa.JSON(), nullable=False),
    sa.Column('done', sa.JSON(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('dob_failures', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['enrollment_request.id'], name=op.f('fk_draft_request_id_enrollment_request'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft'))
    )
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_expires_at'), ['expires_at'], unique=False)



def downgrade():
    # Reviewed by hand: names follow extensions.NAMING on SQLite and PostgreSQL.
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_expires_at'))

    op.drop_table('draft')
    with op.batch_alter_table('appointment_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_request_practice_id'))

    op.drop_table('appointment_request')
    with op.batch_alter_table('security_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_answer_account_id'))

    op.drop_table('security_answer')
    with op.batch_alter_table('enrollment_request', schema=None) as batch_op:
        batch_op.drop_index('ix_request_queue')
        batch_op.drop_index(batch_op.f('ix_enrollment_request_account_id'))

    op.drop_table('enrollment_request')
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_practice_id'))

    op.drop_table('provider')
    with op.batch_alter_table('patient_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_account_practice_id'))

    op.drop_table('patient_account')
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_location_practice_id'))

    op.drop_table('location')
    op.drop_table('practice')
