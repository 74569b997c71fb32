"""The audit_event table: append-only, rows are added, never changed, and removed only
by the retention purge once older than AUDIT_RETENTION_DAYS (purge_older_than)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from auth.clock import utcnow
from database import write_transaction
from extensions import db


class AuditEvent(db.Model):
    """Who (a staff member, or None: the patient), what (an ACTIONS code), which request
    (or None: the practice's settings, its staff), when, from which address."""
    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_request", "practice_id", "request_id", "created_at"),
        sa.Index("ix_audit_staff", "practice_id", "staff_id", "created_at"),
        sa.Index("ix_audit_time", "practice_id", "created_at", "id"),   # by date
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(sa.ForeignKey("practice.id"))
    # None: the patient did it (resubmitted after "needs information").
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    action: Mapped[str] = mapped_column(sa.String(20))        # an audit.ACTIONS code
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enrollment_request.id"))
    # A reason code, a section list, or what a page showed ("status=pending page=1
    # ids=3-7,9"): codes and ids, never what anyone typed (audit/trail.py).
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _append_only(session, _context, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise AuditIsAppendOnly("audit events are never changed or deleted")


# The retention purge (`flask --app app purge`) is the one way rows leave the table: a
# bulk DELETE through the session that carries this option.  Any other bulk UPDATE or
# DELETE of audit rows through the session is refused like a changed or deleted object.
RETENTION_PURGE = "audit_retention_purge"


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_changes(state):
    if not (state.is_update or state.is_delete):
        return
    target = getattr(state.statement, "table", None)   # an annotated copy: by name
    if getattr(target, "name", None) != AuditEvent.__tablename__:
        return
    if state.is_delete and state.execution_options.get(RETENTION_PURGE):
        return
    raise AuditIsAppendOnly("audit events are never changed, and deleted only by the "
                            "retention purge (audit.models.purge_older_than)")


def purge_older_than(cutoff: datetime) -> int:
    """Delete the audit rows written before `cutoff` (AUDIT_RETENTION_DAYS ago: kept six
    years by default, HIPAA's documentation period); the number deleted."""
    with write_transaction():
        return db.session.execute(
            sa.delete(AuditEvent).where(AuditEvent.created_at < cutoff)
            .execution_options(**{RETENTION_PURGE: True,
                                  "synchronize_session": False})).rowcount
