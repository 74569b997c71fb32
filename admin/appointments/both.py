"""'Approve enrollment and appointment': both conditional updates, both decision rows,
their audit rows and both emails in ONE transaction; if either was decided by someone
else first, nothing is written."""
from werkzeug.exceptions import NotFound

from database import write_transaction
from enrollment.codes import APPROVED, PENDING
from enrollment.confirmation import approval_allowed

from ..requests.decisions import approve_within, log_decision as log_enrollment
from ..requests.queries import get_request
from .decisions import DONE, LOST, UNCONFIRMED, Slot, claim, log_decision, record_approval


class _Lost(Exception):
    """Raised inside the transaction to roll back what was claimed before the loss."""


def approve_both(staff, request_id: int, slot: Slot) -> str:
    """DONE, LOST or UNCONFIRMED.  404 for another practice's request or none."""
    try:
        with write_transaction():
            req = get_request(staff.practice_id, request_id)
            if req is None or req.appointment is None:
                raise NotFound()
            if req.status == PENDING and not approval_allowed(req):
                return UNCONFIRMED
            if not claim(req.appointment, APPROVED):
                raise _Lost()
            if not approve_within(staff, req):
                raise _Lost()
            record_approval(staff, req.appointment, slot)
    except _Lost:
        return LOST
    log_enrollment(staff, APPROVED, request_id)
    log_decision(staff, "appointment_approved", req.appointment)
    return DONE
