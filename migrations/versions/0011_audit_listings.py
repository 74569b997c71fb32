"""the audit trail records what staff were shown: a detail long enough for a page's
request ids, and an index for the trail by date

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 11:00:00

"""
from alembic import op
from alembic.util import CommandError
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


# Reviewed by hand.  audit_event.detail goes from VARCHAR(40) to TEXT: a queue page, a
# search or a detail's possible duplicates records the request ids it showed (compactly,
# "ids=3-7,9", audit/trail.py), which a practice's page size may make longer than 40.
# On SQLite that is a batch copy of audit_event (no foreign key references it, so no
# cascade can fire; reflected alone, as 0007 does).  ix_audit_time serves the trail
# of a practice newest first and by date (admin/practice/routes_audit.py).
AUDIT_ONLY = {"resolve_fks": False}


def upgrade():
    with op.batch_alter_table('audit_event', reflect_kwargs=AUDIT_ONLY) as batch_op:
        batch_op.alter_column('detail', existing_type=sa.String(length=40),
                              type_=sa.Text(), existing_nullable=False)
    op.create_index('ix_audit_time', 'audit_event', ['practice_id', 'created_at', 'id'])


def _refuse_while_details_are_long():
    """Back to VARCHAR(40) would cut longer details; the audit trail is never rewritten
    by a migration, so the downgrade stops here, before changing anything."""
    audit = sa.table('audit_event', sa.column('detail'))
    long = op.get_bind().execute(sa.select(sa.func.count()).select_from(audit).where(
        sa.func.length(audit.c.detail) > 40)).scalar()
    if long:
        raise CommandError(
            f"Cannot downgrade below revision 0011: audit_event holds {long} row(s) whose "
            "detail is longer than 40 characters (the requests a page showed), and "
            "revision 0010 keeps 40.  Audit rows are never cut or rewritten by a "
            "migration, so this database stays at revision 0011 or later.")


def downgrade():
    _refuse_while_details_are_long()
    op.drop_index('ix_audit_time', table_name='audit_event')
    with op.batch_alter_table('audit_event', reflect_kwargs=AUDIT_ONLY) as batch_op:
        batch_op.alter_column('detail', existing_type=sa.Text(),
                              type_=sa.String(length=40), existing_nullable=False)
