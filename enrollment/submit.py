"""Draft -> enrollment request (+ appointment request, + its email in the outbox) in ONE
transaction; idempotent.  Each step writes its own values (Step.write)."""
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from database import write_transaction
from extensions import db

from . import confirmation, steps
from .models import AppointmentRequest, Draft, EnrollmentRequest, PatientAccount, utcnow
from .references import unique_reference
from .wizard import leave_notice


class StepConflict(Exception):
    """A unique value of a step's (the username) was taken by another request between
    the step and submission; the patient is sent back to `step` with a notice."""

    def __init__(self, step: steps.Step):
        super().__init__(step.name)
        self.step = step


def submit(draft: Draft, appointment: dict | None = None) -> bool:
    """Create the inactive account and the pending request; False if already submitted."""
    try:
        with write_transaction():
            claimed = db.session.execute(
                sa.update(Draft).where(Draft.id == draft.id, Draft.submitted_at.is_(None))
                .values(submitted_at=utcnow()))
            if claimed.rowcount != 1:
                return False
            request = _build(draft, appointment)
            db.session.flush()
            draft.request_id = request.id
            draft.submitted_at = utcnow()
            confirmation.start(request)   # "request received" + confirm link: outbox row
            # The request now holds the data; the draft keeps only what the done page says.
            draft.data = {"outcome": {"appointment": appointment is not None,
                                       "practice": request.practice.name}}
            draft.clean = {}
            draft.password_hash = None
    except IntegrityError as exc:
        _send_back(draft, str(exc.orig))
        raise
    return True


def _build(draft: Draft, appointment: dict | None) -> EnrollmentRequest:
    account = PatientAccount(locale=draft.locale, active=False)
    request = EnrollmentRequest(account=account, locale=draft.locale,
                                reference=unique_reference(db.session, EnrollmentRequest))
    into = steps.Submission(request, account, draft)
    for step in steps.STEPS:
        step.write(draft.clean.get(step.name) or {}, into)
    request.step_values = into.step_values
    if appointment is not None:
        request.appointment = AppointmentRequest(practice_id=request.practice_id,
                                                 **appointment)
    db.session.add_all([account, request])
    return request


def _send_back(draft: Draft, error: str) -> None:
    """The loser of a race for a unique value (the username) goes back to the step that
    holds it with a notice, and must pass the final step again: StepConflict."""
    for step in steps.STEPS:
        code = step.conflict(error)
        if code:
            leave_notice(draft, step.name, code,
                         reopen=tuple(s.name for s in steps.STEPS if s.final))
            raise StepConflict(step) from None
