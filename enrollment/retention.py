"""A rejected request's personal data, deleted RETENTION_REJECTED_DAYS after the
decision (`flask --app app purge`, upkeep/retention.py).

The row stays with its id, practice, status and dates (the queue counts it, the audit
trail names it); every personal, insurance and reason value becomes NULL, its generic
step values go, its appointment's reason goes, the messages staff sent it are emptied,
its email-confirmation links, any draft pointing at it and the sections as they were
before a correction (request_revision) are deleted.  `purged_at`
says when.  Audit rows are kept (their own retention, AUDIT_RETENTION_DAYS)."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from extensions import db

from . import name_words
from .codes import REJECTED
from .models import (AppointmentRequest, Draft, EmailConfirmation, EnrollmentRequest,
                     InfoRequest, RequestRevision)

R = EnrollmentRequest
# Every column of a request that holds what the patient gave (besides the account,
# deleted at rejection): personal, insurance, the date of birth's hash, step values.
PERSONAL = ("first_name", "middle_name", "last_name", "street", "line2", "city", "state",
            "zip_code", "phone", "email", "date_of_birth", "dob_hash",
            "insurance_carrier", "insurance_member_id", "insurance_group",
            "subscriber_name", "subscriber_relationship", "claim_street", "claim_line2",
            "claim_city", "claim_state", "claim_zip", "step_values")


def days() -> int:
    return current_app.config["RETENTION_REJECTED_DAYS"]


def due(now: datetime, limit: int) -> list[tuple[int, str | None]]:
    """(id, email) of up to `limit` rejected requests decided more than days() ago
    whose personal data is still there."""
    cutoff = now - timedelta(days=days())
    return [tuple(row) for row in db.session.execute(
        sa.select(R.id, R.email).where(
            R.status == REJECTED, R.purged_at.is_(None),
            sa.func.coalesce(R.decided_at, R.created_at) <= cutoff)
        .order_by(R.id).limit(limit)).all()]


def scrub(ids: list[int], now: datetime) -> None:
    """Inside the caller's write transaction: empty what the requests `ids` hold."""
    db.session.execute(
        sa.update(R).where(R.id.in_(ids), R.status == REJECTED)
        .values({**{name: None for name in PERSONAL}, "purged_at": now})
        .execution_options(synchronize_session=False))
    db.session.execute(
        sa.update(AppointmentRequest).where(AppointmentRequest.enrollment_id.in_(ids))
        .values(reason=None).execution_options(synchronize_session=False))
    db.session.execute(
        sa.update(InfoRequest).where(InfoRequest.request_id.in_(ids))
        .values(message="").execution_options(synchronize_session=False))
    name_words.forget(ids)
    for model in (EmailConfirmation, Draft, RequestRevision):
        db.session.execute(sa.delete(model).where(model.request_id.in_(ids))
                           .execution_options(synchronize_session=False))


def address_still_used(email: str) -> bool:
    """Another request (not purged) still holds this email address (any case)."""
    return db.session.execute(sa.select(R.id).where(
        sa.func.lower(R.email) == email.lower()).limit(1)).first() is not None
