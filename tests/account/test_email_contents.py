"""No free text to an unconfirmed address, and every email names its request: each
email that can reach a patient's address, rendered for a request whose address is NOT
confirmed and for one whose address is.

Before confirmation nothing the sender typed appears (no name, no username, no
address); after it, the first name and username may.  Every one names its request by
the reference the server made and the date it was sent, in the practice's zone (never
"UTC").  The "many failed sign-ins" notice goes to a confirmed address only."""
from datetime import datetime

import pytest
import sqlalchemy as sa

from account import emails as account_emails
from auth.clock import format_when
from database import write_transaction
from enrollment import emails
from enrollment.models import EnrollmentRequest
from enrollment.references import is_reference
from extensions import db
from outbox import OutboxMessage
from tests.admin.conftest import confirm_email
from tests.outbox.conftest import enroll

TYPED = {"first_name": "Zelphine", "middle_name": "Azzurra", "last_name": "Quorrington"}
USERNAME = "zelphq-typed"
ADDRESS = "zq.owner@example.org"


def _account_builder(fn):
    return lambda req: fn(req.account, req)


BUILDERS = {
    "received_confirm": lambda req: emails.queue_received_confirm(
        req, "http://localhost/enroll/confirm/x"),
    "approved": emails.queue_approved,
    "rejected": lambda req: emails.queue_rejected(req, "details_mismatch"),
    "needs_info": emails.queue_needs_info,
    "appointment_confirmed": lambda req: emails.queue_appointment_confirmed(
        req, datetime(2031, 2, 4, 16, 30), req.practice.timezone, "Dr. Ana Ruiz",
        "Main clinic", "12 River Rd"),
    "appointment_declined": lambda req: emails.queue_appointment_declined(
        req, "no_availability"),
    "patient_reset": lambda req: account_emails.queue_reset_link(
        req.account, req, "t" * 43, 60),
    "patient_usernames": lambda req: account_emails.queue_usernames(
        req, [(req.account, req)]),
    "patient_password_changed": lambda req: account_emails.queue_password_changed(
        req.account),
    "patient_throttled": lambda req: account_emails.queue_throttle_notice(req.account),
}
# Those that show the username and greet by name once the address is confirmed.
WITH_USERNAME = set(BUILDERS) - {"received_confirm"}
# Those sent to a confirmed address only (recovery: the job asks only for those).
CONFIRMED_ONLY = {"patient_reset", "patient_usernames", "patient_throttled"}


@pytest.fixture
def request_id(app, practices):
    enroll(app, practices["riverside-family"], 5, personal={**TYPED, "email": ADDRESS},
           credentials={"username": USERNAME})
    with app.app_context():
        req = db.session.execute(sa.select(EnrollmentRequest)).scalar_one()
        db.session.execute(sa.delete(OutboxMessage))   # the submission's own email
        db.session.commit()
        return req.id


def render(app, request_id: int, name: str) -> tuple[OutboxMessage | None, dict]:
    """Queue email `name` about the request; its row (or None) and what names the request."""
    with app.app_context(), app.test_request_context():
        req = db.session.get(EnrollmentRequest, request_id, populate_existing=True)
        expected = {"reference": req.reference,
                    "date": format_when(req.created_at, req.practice.timezone).date}
        with write_transaction():
            row = BUILDERS[name](req)
        if row is not None:
            row = db.session.get(OutboxMessage, row.id)
            db.session.expunge(row)
        return row, expected


def parts(row: OutboxMessage) -> list[str]:
    return [row.subject, row.body_text, row.body_html]


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_before_confirmation_no_typed_value_and_the_request_is_named(app, request_id, name):
    row, expected = render(app, request_id, name)
    if name in CONFIRMED_ONLY:
        assert row is None
        return
    assert row.to_addr == ADDRESS
    for part in parts(row):
        for typed in [*TYPED.values(), USERNAME, ADDRESS, "zq.owner"]:
            assert typed not in part, (name, typed)
        assert "UTC" not in part
    assert is_reference(expected["reference"])
    for body in parts(row)[1:]:
        assert expected["reference"] in body and expected["date"] in body, name
        assert "Hello," in body


@pytest.mark.parametrize("name", sorted(WITH_USERNAME))
def test_after_confirmation_the_name_and_username_appear_too(app, request_id, name):
    confirm_email(app, request_id)
    row, expected = render(app, request_id, name)
    assert row is not None and row.to_addr == ADDRESS
    for body in parts(row)[1:]:
        assert expected["reference"] in body and expected["date"] in body, name
        assert f"Username: {USERNAME}" in body and "Hello Zelphine," in body
        assert TYPED["last_name"] not in body and "UTC" not in body


def test_the_confirmation_email_says_only_what_rule_2_allows(app, request_id):
    row, _ = render(app, request_id, "received_confirm")
    text = row.body_text
    assert "Someone asked to create a patient portal account at Riverside Family " \
        "Medicine with this email address." in text
    assert "http://localhost/enroll/confirm/x" in text
    assert "If this was not you, ignore this email." in text


def test_the_username_email_names_each_request(app, practices, request_id):
    confirm_email(app, request_id)
    row, expected = render(app, request_id, "patient_usernames")
    assert f"{USERNAME} (Riverside Family Medicine, request {expected['reference']} of " \
        f"{expected['date']})" in row.body_text


def test_references_are_unique_random_and_shown_on_the_done_and_status_pages(
        app, practices, patient):
    user = patient(0)
    other = patient(1, sign_in=False)
    with app.app_context():
        refs = db.session.execute(sa.select(EnrollmentRequest.reference)
                                  .order_by(EnrollmentRequest.id)).scalars().all()
    assert len(set(refs)) == 2 and all(is_reference(r) for r in refs)
    assert refs[0] in user.get("/status").get_data(as_text=True)
    assert refs[1] in other.client.get("/enroll/done").get_data(as_text=True)
