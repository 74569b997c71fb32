"""appointment requests decided by staff: the decision table and the queue's index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 08:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed by hand: one new table and one index; appointment_request and
    # enrollment_request are NOT copied (with foreign keys on, a batch copy of a table
    # can cascade-delete the rows that reference it).
    # appointment_decision: at most one per appointment request (unique).  The time is
    # UTC; the zone it was entered in and the provider's and location's names are kept
    # as the patient was told them.
    op.create_table('appointment_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('provider_name', sa.String(length=120), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('location_name', sa.String(length=120), nullable=False),
    sa.Column('location_address', sa.String(length=250), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment_request.id'], name=op.f('fk_appointment_decision_appointment_id_appointment_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_appointment_decision_location_id_location'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_appointment_decision_provider_id_provider'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_user.id'], name=op.f('fk_appointment_decision_staff_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_decision')),
    sa.UniqueConstraint('appointment_id', name=op.f('uq_appointment_decision_appointment_id'))
    )
    with op.batch_alter_table('appointment_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_decision_staff_id'), ['staff_id'], unique=False)

    # The appointment queue (practice, status, newest first; id breaks ties, as the
    # query orders): CREATE INDEX, no copy.
    op.create_index('ix_appointment_queue', 'appointment_request',
                    ['practice_id', 'status', 'created_at', 'id'], unique=False)


def downgrade():
    # Reviewed by hand: DROP INDEX and DROP TABLE only, no copy.
    op.drop_index('ix_appointment_queue', table_name='appointment_request')
    with op.batch_alter_table('appointment_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_decision_staff_id'))
    op.drop_table('appointment_decision')
