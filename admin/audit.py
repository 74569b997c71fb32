"""The audit trail: record inside the caller's transaction; read, filtered, for admins."""
import sqlalchemy as sa
from flask import request
from flask_babel import lazy_gettext as _l

from extensions import db

from .models import AuditEvent

VIEWED, APPROVED, REJECTED = "viewed", "approved", "rejected"
NEEDS_INFO, RESUBMITTED = "needs_info", "resubmitted"
ACTIONS = {VIEWED: _l("Viewed the request"), APPROVED: _l("Approved"),
           REJECTED: _l("Rejected"), NEEDS_INFO: _l("Asked the patient for information"),
           RESUBMITTED: _l("The patient sent the request back, updated")}
PAGE = 100


def record(staff, action: str, request_id: int | None, detail: str = "") -> AuditEvent:
    """Add one row to the current transaction (write_transaction of the caller)."""
    event = AuditEvent(practice_id=staff.practice_id, staff_id=staff.id, action=action,
                       request_id=request_id, detail=detail,
                       ip=(request.remote_addr or "")[:45])
    db.session.add(event)
    return event


def record_patient(req, action: str) -> AuditEvent:
    """A row for something the patient did (no staff member): e.g. RESUBMITTED."""
    event = AuditEvent(practice_id=req.practice_id, staff_id=None, action=action,
                       request_id=req.id, ip=(request.remote_addr or "")[:45])
    db.session.add(event)
    return event


def events(practice_id: int, request_id: int | None = None,
           staff_id: int | None = None) -> list[AuditEvent]:
    query = sa.select(AuditEvent).where(AuditEvent.practice_id == practice_id)
    if request_id is not None:
        query = query.where(AuditEvent.request_id == request_id)
    if staff_id is not None:
        query = query.where(AuditEvent.staff_id == staff_id)
    query = query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(PAGE)
    return list(db.session.execute(query).scalars())
