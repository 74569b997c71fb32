"""The decisions on appointment requests: approve with a time in the practice's zone,
decline with a reason.  Each decision is ONE transaction with its decision row, audit
row and outbox row; a conditional UPDATE on status='pending' makes the first decision
the only one, and whoever comes second is told what happened.  An appointment is
approved only once its enrollment is (approve_both does the two at once: both.py)."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from werkzeug.exceptions import NotFound

import audit
from auth.clock import utcnow
from database import write_transaction
from enrollment.codes import APPOINTMENT_DECLINE_REASONS, APPROVED, DECLINED, PENDING
from enrollment.emails import queue_appointment_confirmed, queue_appointment_declined
from enrollment.models import AppointmentRequest, EnrollmentRequest
from extensions import db
from seclog import DECISION, actor_ids, security_event

from .models import AppointmentDecision
from .queries import get

A, D = AppointmentRequest, AppointmentDecision
DONE, LOST, NEEDS_ENROLLMENT, UNCONFIRMED = "done", "lost", "needs_enrollment", "unconfirmed"
# Used when the enrollment is rejected (no email of its own: the rejection says it all).
CLOSED_WITH_ENROLLMENT = "enrollment_not_approved"
STAFF_REASONS = [c for c in APPOINTMENT_DECLINE_REASONS if c != CLOSED_WITH_ENROLLMENT]


@dataclass
class Slot:
    """What staff confirm: a UTC time, and the provider and location (or None)."""
    starts_at: datetime
    zone: str
    provider: object = None
    location: object = None


@dataclass
class Outcome:
    result: str
    appointment: AppointmentRequest


def _load(staff, appointment_id: int) -> AppointmentRequest:
    appt = get(staff.practice_id, appointment_id)
    if appt is None:
        raise NotFound()
    return appt


# --- deciding (inside the caller's transaction) -----------------------------------------

def claim(appt: AppointmentRequest, status: str) -> bool:
    won = db.session.execute(
        sa.update(A).where(A.id == appt.id, A.practice_id == appt.practice_id,
                           A.status == PENDING)
        .values(status=status).execution_options(synchronize_session=False))
    return won.rowcount == 1


def record_approval(staff, appt: AppointmentRequest, slot: Slot) -> None:
    """The decision row, the audit row and the patient's email (after a won claim)."""
    provider, location = slot.provider, slot.location
    db.session.add(D(
        appointment_id=appt.id, staff_id=staff.id, decision=APPROVED,
        starts_at=slot.starts_at, timezone=slot.zone,
        provider_id=provider.id if provider else None,
        provider_name=provider.name if provider else "",
        location_id=location.id if location else None,
        location_name=location.name if location else "",
        location_address=location.address if location else "", decided_at=utcnow()))
    audit.record(staff, audit.APPT_APPROVED, appt.enrollment_id,
                 detail=slot.starts_at.strftime("%Y-%m-%dT%H:%MZ"))
    queue_appointment_confirmed(appt.enrollment, slot.starts_at, slot.zone,
                                provider=provider.name if provider else "",
                                location=location.name if location else "",
                                address=location.address if location else "")


def approve(staff, appointment_id: int, slot: Slot) -> Outcome:
    with write_transaction():
        appt = _load(staff, appointment_id)
        if appt.status == PENDING and appt.enrollment.status != APPROVED:
            return Outcome(NEEDS_ENROLLMENT, appt)
        if not claim(appt, APPROVED):
            return Outcome(LOST, appt)
        record_approval(staff, appt, slot)
    log_decision(staff, "appointment_approved", appt)
    return Outcome(DONE, _load(staff, appointment_id))


def log_decision(staff, decision: str, appt: AppointmentRequest) -> None:
    """The security log's line for a decision that was committed."""
    security_event(DECISION, decision=decision, request_id=appt.enrollment_id,
                   appointment_id=appt.id, **actor_ids(staff))


def decline(staff, appointment_id: int, reason: str, note: str = "") -> Outcome:
    if reason not in STAFF_REASONS:
        raise ValueError(f"unknown decline reason {reason!r}")
    with write_transaction():
        appt = _load(staff, appointment_id)
        if not claim(appt, DECLINED):
            return Outcome(LOST, appt)
        db.session.add(D(appointment_id=appt.id, staff_id=staff.id, decision=DECLINED,
                         reason=reason, note=(note or "").strip()[:1000],
                         decided_at=utcnow()))
        audit.record(staff, audit.APPT_DECLINED, appt.enrollment_id, detail=reason)
        queue_appointment_declined(appt.enrollment, reason)
    log_decision(staff, "appointment_declined", appt)
    return Outcome(DONE, _load(staff, appointment_id))


def close_with_enrollment(staff, req: EnrollmentRequest) -> None:
    """The enrollment was just rejected (caller's transaction): its pending appointment
    is declined with it, without an email of its own."""
    appt = db.session.execute(sa.select(A).where(A.enrollment_id == req.id)).scalar()
    if appt is None or not claim(appt, DECLINED):
        return
    db.session.add(D(appointment_id=appt.id, staff_id=staff.id, decision=DECLINED,
                     reason=CLOSED_WITH_ENROLLMENT, decided_at=utcnow()))
    audit.record(staff, audit.APPT_DECLINED, req.id, detail=CLOSED_WITH_ENROLLMENT)
