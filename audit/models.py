"""The audit_event table: append-only, rows are added, never changed or removed."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from auth.clock import utcnow
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
