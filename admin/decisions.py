"""Approve or reject: each ONE transaction with its decision row, its audit row and its
outbox row.  A conditional UPDATE on status='pending' makes the first decision the only
one; whoever comes second is told what happened."""
from dataclasses import dataclass

import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from database import write_transaction
from enrollment.codes import APPROVED, PENDING, REJECTED, REJECTION_REASONS
from enrollment.confirmation import approval_allowed
from enrollment.emails import queue_approved, queue_rejected
from enrollment.models import EnrollmentRequest, PatientAccount, utcnow
from extensions import db

from . import audit
from .appointments import close_with_enrollment
from .models import Decision
from .queries import get_request

DONE, LOST, UNCONFIRMED, BAD_REASON = "done", "lost", "unconfirmed", "bad_reason"


@dataclass
class Outcome:
    result: str
    request: EnrollmentRequest


def reasons_for(practice) -> list[str]:
    """The practice's chosen codes, in the fixed order (None or empty: all)."""
    chosen = set(practice.rejection_reasons or REJECTION_REASONS)
    return [code for code in REJECTION_REASONS if code in chosen]


def _claim(req: EnrollmentRequest, status: str, now) -> bool:
    won = db.session.execute(
        sa.update(EnrollmentRequest)
        .where(EnrollmentRequest.id == req.id, EnrollmentRequest.practice_id == req.practice_id,
               EnrollmentRequest.status == PENDING)
        .values(status=status, decided_at=now).execution_options(synchronize_session=False))
    return won.rowcount == 1


def _load(staff, request_id: int) -> EnrollmentRequest:
    req = get_request(staff.practice_id, request_id)
    if req is None:
        raise NotFound()
    return req


def approve(staff, request_id: int) -> Outcome:
    with write_transaction():
        req = _load(staff, request_id)
        if req.status == PENDING and not approval_allowed(req):
            return Outcome(UNCONFIRMED, req)
        if not approve_within(staff, req):
            return Outcome(LOST, req)
    return Outcome(DONE, _load(staff, request_id))


def approve_within(staff, req: EnrollmentRequest) -> bool:
    """The approval inside the caller's transaction (also admin/appointments_both.py):
    False, and nothing written, when another decision came first."""
    now = utcnow()
    if not _claim(req, APPROVED, now):
        return False
    if req.account_id is not None:
        db.session.execute(sa.update(PatientAccount).where(
            PatientAccount.id == req.account_id).values(active=True)
            .execution_options(synchronize_session=False))
    db.session.add(Decision(request_id=req.id, staff_id=staff.id, decision=APPROVED,
                            decided_at=now))
    audit.record(staff, audit.APPROVED, req.id)
    queue_approved(req)
    return True


def reject(staff, request_id: int, reason: str, note: str = "") -> Outcome:
    with write_transaction():
        req = _load(staff, request_id)
        if reason not in reasons_for(req.practice):
            return Outcome(BAD_REASON, req)
        now = utcnow()
        if not _claim(req, REJECTED, now):
            return Outcome(LOST, req)
        db.session.add(Decision(request_id=req.id, staff_id=staff.id, decision=REJECTED,
                                reason=reason, note=(note or "").strip()[:1000],
                                decided_at=now))
        audit.record(staff, audit.REJECTED, req.id, detail=reason)
        queue_rejected(req, reason)
        close_with_enrollment(staff, req)   # its pending appointment goes with it
        if req.account_id is not None:   # the inactive account goes: username released
            db.session.execute(sa.delete(PatientAccount).where(
                PatientAccount.id == req.account_id, PatientAccount.active.is_(False))
                .execution_options(synchronize_session=False))
    db.session.expire_all()
    return Outcome(DONE, _load(staff, request_id))


def record_view(staff, request_id: int) -> EnrollmentRequest:
    """The detail view's audit row: the one deliberate exception to 'GET changes
    nothing'.  404 (and no row) for a request of another practice."""
    with write_transaction():
        req = _load(staff, request_id)
        audit.record(staff, audit.VIEWED, req.id)
    return req
