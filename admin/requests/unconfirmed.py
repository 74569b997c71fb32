"""The desk and a request that waits for the patient's email confirmation: the link
sent again (rate-limited: once a minute and CONFIRM_RESEND_LIMIT per request; audited),
and the address corrected when the patient calls to say it was mistyped (audited; every
link sent before stops working, a new one goes to the new address).  Both go through
enrollment.confirmation, the one machinery of links."""
from flask import current_app

import audit
import rate_limits
from database import write_transaction
from enrollment import confirmation
from enrollment.codes import NEEDS_INFO, PENDING
from enrollment.models import EnrollmentRequest
from extensions import db

SENT, WAIT, CONFIRMED, CLOSED = (confirmation.SENT, confirmation.WAIT,
                                 confirmation.CONFIRMED, confirmation.CLOSED)
CORRECTED, SAME = "corrected", "same"


def resend_link(staff, req: EnrollmentRequest) -> str:
    """SENT (and audited), WAIT (sent less than a minute ago, or the hourly limit of
    this request reached), CONFIRMED or CLOSED."""
    if not rate_limits.allowed(current_app.config["CONFIRM_RESEND_LIMIT"], "staff-resend",
                               str(req.id), hit=False):
        return WAIT
    result = confirmation.resend(req.id)
    if result == SENT:
        rate_limits.allowed(current_app.config["CONFIRM_RESEND_LIMIT"], "staff-resend",
                            str(req.id))
        with write_transaction():
            audit.record(staff, audit.LINK_RESENT, req.id)
    return result


def correct_email(staff, req: EnrollmentRequest, address: str) -> str:
    """CORRECTED (a new link on its way to `address`), SAME (that is the address
    already) or CLOSED (decided meanwhile)."""
    with write_transaction():
        req = db.session.get(EnrollmentRequest, req.id, populate_existing=True)
        if req.status not in (PENDING, NEEDS_INFO):
            return CLOSED
        if (req.email or "").strip().lower() == address.strip().lower():
            return SAME
        req.email = address
        confirmation.address_changed(req)
        req = db.session.get(EnrollmentRequest, req.id, populate_existing=True)
        confirmation.start(req, resent=True)
        audit.record(staff, audit.EMAIL_CORRECTED, req.id)
    return CORRECTED
