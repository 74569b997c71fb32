"""Draft -> enrollment request (+ appointment request, + its email in the outbox) in ONE
transaction; idempotent."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from database import write_transaction
from extensions import db

from . import confirmation
from .wizard import leave_notice
from .models import (AppointmentRequest, Draft, EnrollmentRequest, PatientAccount,
                     SecurityAnswer, utcnow)


class UsernameTaken(Exception):
    """Another request took the username between the credentials step and submission."""


PERSONAL = ("first_name", "middle_name", "last_name", "street", "line2", "city", "state",
            "zip_code", "phone", "email")
INSURANCE = {"carrier": "insurance_carrier", "member_id": "insurance_member_id",
             "group_number": "insurance_group", "subscriber_name": "subscriber_name",
             "relationship": "subscriber_relationship", "claim_street": "claim_street",
             "claim_line2": "claim_line2", "claim_city": "claim_city",
             "claim_state": "claim_state", "claim_zip": "claim_zip"}


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
        if "username" not in str(exc.orig).lower():
            raise
        _release_username(draft)
        raise UsernameTaken from None
    return True


def _build(draft: Draft, appointment: dict | None) -> EnrollmentRequest:
    clean = draft.clean
    personal, insurance, review = clean["personal"], clean.get("insurance", {}), clean["review"]
    practice_id = clean["practice"]["practice_id"]
    security = clean["security"]
    account = PatientAccount(practice_id=practice_id, locale=draft.locale,
                             username=clean["credentials"]["username"],
                             password_hash=draft.password_hash, active=False)
    account.answers = [SecurityAnswer(position=i, question=q, answer_hash=h) for i, (q, h)
                       in enumerate(zip(security["questions"], security["answer_hashes"]))]
    request = EnrollmentRequest(
        practice_id=practice_id, account=account, locale=draft.locale,
        date_of_birth=date.fromisoformat(personal["date_of_birth"]),
        terms_version=review["terms_version"],
        terms_accepted_at=datetime.fromisoformat(review["terms_accepted_at"]),
        email_consent_at=datetime.fromisoformat(review["email_consent_at"]),
        **{k: personal.get(k) or "" for k in PERSONAL},
        **{column: insurance.get(key) or "" for key, column in INSURANCE.items()})
    if appointment is not None:
        request.appointment = AppointmentRequest(practice_id=practice_id, **appointment)
    db.session.add_all([account, request])
    return request


def _release_username(draft: Draft) -> None:
    """The loser of a username race goes back to the credentials step with a message."""
    leave_notice(draft, "credentials", "username_taken", reopen=("review",))
