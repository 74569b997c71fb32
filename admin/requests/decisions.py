"""Approve, reject or ask for information: each ONE transaction with its rows (decision
or info request), its audit row and its outbox row.  A conditional UPDATE on the status
makes the first decision the only one; whoever comes second is told what happened.

"Needs information" is not a final decision: no Decision row (one per request, the
final one) and no decided_at.  The patient answers (account/corrections.py) and the
request is pending again; a request waiting for the patient may still be rejected."""
from dataclasses import dataclass

import sqlalchemy as sa
from werkzeug.exceptions import NotFound

import audit
from auth.clock import utcnow
from database import write_transaction
from enrollment import steps
from enrollment.codes import APPROVED, NEEDS_INFO, PENDING, REJECTED, REJECTION_REASONS
from enrollment.confirmation import approval_allowed
from enrollment.emails import queue_approved, queue_needs_info, queue_rejected
from enrollment.models import EnrollmentRequest, InfoRequest, PatientAccount
from extensions import db
from seclog import DECISION, actor_ids, security_event

from ..appointments.decisions import close_with_enrollment
from ..staff.models import StaffUser
from .models import Decision
from .queries import get_request

DONE, LOST, UNCONFIRMED, BAD_REASON = "done", "lost", "unconfirmed", "bad_reason"
BAD_INFO, WAITING = "bad_info", "waiting"
MESSAGE_MAX = 2000
# A request waiting for the patient's answer may still be turned down (they may never
# answer); approval waits for the answer.
REJECTABLE = (PENDING, NEEDS_INFO)


@dataclass
class Outcome:
    result: str
    request: EnrollmentRequest


def reasons_for(practice) -> list[str]:
    """The practice's chosen codes, in the fixed order (None or empty: all)."""
    chosen = set(practice.rejection_reasons or REJECTION_REASONS)
    return [code for code in REJECTION_REASONS if code in chosen]


def _claim(req: EnrollmentRequest, status: str, now, allowed=(PENDING,)) -> bool:
    """Move the request from one of `allowed` to `status`; decided_at only for a final
    decision.  False when another decision came first."""
    values = {"status": status}
    if status in (APPROVED, REJECTED):
        values["decided_at"] = now
    won = db.session.execute(
        sa.update(EnrollmentRequest)
        .where(EnrollmentRequest.id == req.id, EnrollmentRequest.practice_id == req.practice_id,
               EnrollmentRequest.status.in_(allowed))
        .values(**values).execution_options(synchronize_session=False))
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
        if req.status == NEEDS_INFO:   # approval waits for the patient's answer
            return Outcome(WAITING, req)
        if not approve_within(staff, req):
            return Outcome(LOST, req)
    log_decision(staff, APPROVED, request_id)
    return Outcome(DONE, _load(staff, request_id))


def log_decision(staff, decision: str, request_id: int, appointment_id=None) -> None:
    """The security log's line for a decision that was committed."""
    security_event(DECISION, decision=decision, request_id=request_id,
                   appointment_id=appointment_id, **actor_ids(staff))


def approve_within(staff, req: EnrollmentRequest) -> bool:
    """The approval inside the caller's transaction (also admin/appointments/both.py):
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
        if not _claim(req, REJECTED, now, REJECTABLE):
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
    log_decision(staff, REJECTED, request_id)
    return Outcome(DONE, _load(staff, request_id))


def correctable_sections() -> list[str]:
    return [step.name for step in steps.correctable()]


def ask_for_information(staff, request_id: int, message: str,
                        sections: list[str]) -> Outcome:
    """'Needs information': the message (shown to the patient once signed in, never
    emailed) and the sections opened for correction (none is fine: "call us")."""
    message = (message or "").strip()
    allowed = correctable_sections()
    chosen = set(sections or ())
    with write_transaction():
        req = _load(staff, request_id)
        if not message or len(message) > MESSAGE_MAX or not chosen <= set(allowed):
            return Outcome(BAD_INFO, req)
        sections = [name for name in allowed if name in chosen]   # the wizard's order
        now = utcnow()
        if not _claim(req, NEEDS_INFO, now):
            return Outcome(LOST, req)
        db.session.add(InfoRequest(request_id=req.id, staff_id=staff.id, message=message,
                                   sections=sections, created_at=now))
        audit.record(staff, audit.NEEDS_INFO, req.id, detail=",".join(sections))
        queue_needs_info(req)
    db.session.expire_all()
    log_decision(staff, NEEDS_INFO, request_id)
    return Outcome(DONE, _load(staff, request_id))


def info_requests(request_id: int) -> list[tuple[InfoRequest, str]]:
    """The request's "needs information" history, newest first, with who asked."""
    return list(db.session.execute(
        sa.select(InfoRequest, StaffUser.email)
        .join(StaffUser, StaffUser.id == InfoRequest.staff_id)
        .where(InfoRequest.request_id == request_id)
        .order_by(InfoRequest.created_at.desc(), InfoRequest.id.desc())).all())


def record_view(staff, req: EnrollmentRequest, duplicate_ids: list[int]) -> None:
    """The detail view's audit row, with the possible duplicates shown beside it: the
    one deliberate exception to 'GET changes nothing'."""
    audit.shown(staff, audit.VIEWED, req.id, duplicates=duplicate_ids)
