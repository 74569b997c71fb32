"""Staff, their decisions, and the append-only audit trail."""
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from enrollment.models import EnrollmentRequest, Practice, utcnow
from extensions import db

STAFF, ADMIN = "staff", "admin"
ROLES = (STAFF, ADMIN)


class StaffUser(UserMixin, db.Model):
    """A member of one practice's staff.  `email` is stored lower-cased."""
    __tablename__ = "staff_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(sa.ForeignKey("practice.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(10), default=STAFF)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None]
    # Consecutive failed sign-ins (any server): at STAFF_MAX_FAILED_LOGINS the account is
    # locked until its password is set again (a reset link, or an admin's reset).
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    practice: Mapped[Practice] = relationship()

    kind = "staff"

    def get_id(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


class Decision(db.Model):
    """The one decision on a request (unique): who, when, the reason code and an
    internal note that never leaves the dashboard."""
    __tablename__ = "enrollment_decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment_request.id", ondelete="CASCADE"), unique=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    decision: Mapped[str] = mapped_column(sa.String(20))      # approved / rejected
    reason: Mapped[str] = mapped_column(sa.String(40), default="")
    note: Mapped[str] = mapped_column(sa.String(1000), default="")
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    staff: Mapped[StaffUser] = relationship()
    request: Mapped[EnrollmentRequest] = relationship()


class AuditEvent(db.Model):
    """Append-only: rows are added, never changed or removed by the app."""
    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_request", "practice_id", "request_id", "created_at"),
        sa.Index("ix_audit_staff", "practice_id", "staff_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(sa.ForeignKey("practice.id"))
    # None: the patient did it (resubmitted after "needs information").
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    action: Mapped[str] = mapped_column(sa.String(20))        # an AUDIT_ACTIONS code
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enrollment_request.id"))
    detail: Mapped[str] = mapped_column(sa.String(40), default="")   # e.g. a reason code
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    staff: Mapped[StaffUser | None] = relationship()


class AuditIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _append_only(session, _context, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise AuditIsAppendOnly("audit events are never changed or deleted")
