"""Each message, delivered to a real SMTP server: recipients, subject, both parts, the
practice's details, and nothing a practice must not put in an email."""
import re

import pytest
import sqlalchemy as sa

from database import write_transaction
from enrollment.codes import REJECTION_REASONS
from enrollment.emails import queue_approved, queue_rejected
from enrollment.models import EnrollmentRequest, PatientAccount, Practice
from extensions import db
from outbox import SENT, OutboxMessage, clean_address, clean_text, enqueue, send_due
from tests.admin.conftest import confirm_email
from tests.outbox.conftest import ABOUT, enroll

INSURANCE = {"carrier": "Acme Health PPO", "member_id": "ZXQ123456789",
             "group_number": "GRP-7781", "subscriber_name": "Maria Delgado",
             "relationship": "self", "claim_street": "PO Box 4410", "claim_line2": "",
             "claim_city": "Chicago", "claim_state": "IL", "claim_zip": "60601"}
# Date of birth (1984-03-09) in any usual spelling, insurance, the patient's phone.
NEVER_IN_EMAIL = ["1984-03-09", "03/09/1984", "3/9/1984", "March 9", "1984", "ZXQ123456789",
                  "GRP-7781", "Acme Health", "PO Box 4410", "555-0199", "12 Elm Street"]


def deliver(app):
    with app.app_context():
        return send_due()


def assert_private(received):
    for part in ("plain", "html"):
        body = received.part(part)
        for secret in NEVER_IN_EMAIL:
            assert secret not in body, (part, secret)
    assert all(s not in str(received.message["Subject"]) for s in NEVER_IN_EMAIL)


def assert_practice(received, name, phone, reply_to):
    assert received.mail_from == "portal@localhost"
    assert received.message["From"].addresses[0].addr_spec == "portal@localhost"
    assert received.message["Reply-To"].addresses[0].addr_spec == reply_to
    assert received.message["From"].addresses[0].display_name == name
    for part in ("plain", "html"):
        body = received.part(part)
        assert name in body and phone in body and reply_to in body


def test_request_received_with_confirm_link(app, smtp, practices):
    enroll(app, practices["hillcrest-internal"], 1, insurance=INSURANCE)
    report = deliver(app)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [got] = smtp.messages
    assert got.rcpt_tos == ["patient1@example.org"]
    assert got.message["To"].addresses[0].addr_spec == "patient1@example.org"
    assert got.message["Subject"].strip() == ("Hillcrest Internal Medicine received your "
                                      "enrollment request")
    assert got.message.get_content_type() == "multipart/mixed"
    text, html = got.part("plain"), got.part("html")
    with app.app_context():
        reference = db.session.execute(sa.select(EnrollmentRequest.reference)).scalar_one()
    for body in (text, html):   # to an unconfirmed address: nothing the sender typed
        assert "pending approval" in body and "Hello," in body and "Maria" not in body
        assert "Someone asked to create a patient portal account" in body
        assert "If this was not you, ignore this email." in body
        assert f"Enrollment request {reference}, sent on " in body
        assert re.search(r"http://localhost/enroll/confirm/[A-Za-z0-9_-]{40,}", body)
        assert "72 hours" in body
    assert '<a href="http://localhost/enroll/confirm/' in html
    assert_practice(got, "Hillcrest Internal Medicine", "(503) 555-0178",
                    "office@hillcrest.example")
    assert_private(got)
    with app.app_context():
        row = db.session.execute(sa.select(OutboxMessage)).scalar_one()
        assert got.message_id == row.message_id and row.status == SENT
        assert row.body_text == "" and row.body_html == ""   # delivered: bodies cleared
        assert row.attempts == 1 and row.sent_at is not None
    assert got.message["Auto-Submitted"] == "auto-generated"


def _request(app):
    with app.app_context():
        return db.session.execute(sa.select(EnrollmentRequest)).scalar_one()


def test_approved_and_rejected(app, smtp, practices, monkeypatch):
    enroll(app, practices["riverside-family"], 2, insurance=INSURANCE)
    deliver(app)
    confirm_email(app, _request(app).id)   # the username is mailed once it is confirmed
    monkeypatch.setitem(app.config, "PORTAL_BASE_URL", "https://portal.example")
    with app.app_context(), app.test_request_context():
        req = db.session.execute(sa.select(EnrollmentRequest)).scalar_one()
        with write_transaction():
            queue_approved(req)
            queue_rejected(req, "details_mismatch")
    assert deliver(app).sent == 2
    confirm, approved, rejected = smtp.messages
    for got in (approved, rejected):
        assert got.rcpt_tos == ["patient2@example.org"]
        assert_practice(got, "Riverside Family Medicine", "(217) 555-0142",
                        "frontdesk@riverside.example")
        assert_private(got)
    assert approved.message["Subject"].strip() == ("Your patient portal account with Riverside "
                                           "Family Medicine is approved")
    for body in (approved.part("plain"), approved.part("html")):
        assert "outbox-user2" in body and "https://portal.example/" in body
        assert "correct horse" not in body
    assert rejected.message["Subject"].strip() == ("About your enrollment request with Riverside "
                                           "Family Medicine")
    label = str(REJECTION_REASONS["details_mismatch"])
    for body in (rejected.part("plain"), rejected.part("html")):
        assert label.replace("'", "&#39;") in body or label in body
        assert "call the practice at (217) 555-0142" in body
    assert len({m.message_id for m in smtp.messages}) == 3


def test_rejection_reasons_are_a_fixed_set(app, practices):
    enroll(app, practices["riverside-family"], 3)
    with app.app_context(), app.test_request_context():
        req = db.session.execute(sa.select(EnrollmentRequest)).scalar_one()
        with pytest.raises(ValueError):
            with write_transaction():
                queue_rejected(req, "Your insurance lapsed")   # free text: refused
        assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar() == 1


def test_a_rolled_back_change_leaves_no_outbox_row(app, practices):
    with app.app_context(), app.test_request_context():
        with pytest.raises(RuntimeError, match="boom"):
            with write_transaction():
                enqueue("rejected", to="someone@example.org", context={
                    "practice": {"name": "P", "phone": "1", "reply_to": ""},
                    "first_name": "A", "reason": "r", "about": ABOUT})
                db.session.flush()   # the row reached the database ...
                raise RuntimeError("boom")   # ... and the change failed
        assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar() == 0


def test_a_failed_submission_leaves_no_outbox_row(app, practices):
    """The username was taken between the credentials step and submission: the whole
    submission rolls back, its email with it."""
    from tests.wizard import GOOD, Patient
    patient = Patient(app.test_client())
    patient.complete_through("security", practices["hillcrest-internal"])
    with app.app_context():
        with write_transaction():
            db.session.add(PatientAccount(practice_id=practices["hillcrest-internal"],
                                          username="mariad84", password_hash="x"))
    patient.step("review", GOOD["review"])
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(EnrollmentRequest.id))).scalar() == 0
        assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar() == 0


def test_enqueue_belongs_in_a_transaction(app):
    with app.app_context(), app.test_request_context():
        with pytest.raises(RuntimeError):
            enqueue("rejected", to="a@example.org", context={})


INJECT = "\r\nBcc: evil@example.com"


def test_header_injection_adds_no_recipient_and_does_not_fail(app, smtp, practices):
    with app.app_context():
        with write_transaction():
            db.session.add(Practice(slug="evil", name="Evil Clinic" + INJECT,
                                    phone="+15035550100", reply_to="desk@evil.example" + INJECT))
        evil = db.session.execute(sa.select(Practice.id).where(Practice.slug == "evil")).scalar()
    enroll(app, evil, 4)   # the name reaches the queue through a real submission
    with app.app_context(), app.test_request_context():
        with write_transaction():   # and every header value at once, directly
            enqueue("rejected", to="patient4@example.org" + INJECT,
                    from_name="Name" + INJECT, reply_to="r@example.org" + INJECT,
                    context={"practice": {"name": "Evil" + INJECT, "phone": "1",
                                          "reply_to": ""}, "first_name": "A" + INJECT,
                             "reason": "r", "about": ABOUT})
    report = deliver(app)
    assert (report.sent, report.failed, report.retrying) == (2, 0, 0)
    assert len(smtp.messages) == 2
    for got in smtp.messages:
        assert got.rcpt_tos == ["patient4@example.org"]
        assert got.mail_from == "portal@localhost"
        assert got.message["From"].addresses[0].addr_spec == "portal@localhost"
        headers = got.raw.split(b"\r\n\r\n", 1)[0].decode()
        assert not re.search(r"(?im)^bcc:", headers)
        assert "Bcc" not in got.message and "evil@example.com" not in str(got.message["To"])
        assert len(got.message["Reply-To"].addresses) == 1
    first = smtp.messages[0].message
    assert first["Subject"].strip() == ("Evil Clinic Bcc: evil@example.com received your "
                                "enrollment request")
    assert first["From"].addresses[0].display_name == "Evil Clinic Bcc evil example.com"
    assert first["Reply-To"].addresses[0].addr_spec == "desk@evil.example"


@pytest.mark.parametrize("name, shown", [
    ('Dr. "Who" <evil@example.com>, Inc.', "Dr. Who evil example.com Inc."),
    ("Clínica São José", "Clínica São José"),
    ("Group: a@b.example;", "Group a b.example"),
    ("=?utf-8?q?evil=40example.com?=", "=?utf-8?q?evil=40example.com?="),
    ("back\\slash", "back slash"),
])
def test_a_practice_name_never_changes_the_sender(app, smtp, name, shown):
    """Display names lose address specials: Python's email package re-serialises From
    without quotes, so a name like 'x <evil@example.com>' could otherwise become the
    sender's address."""
    with app.app_context(), app.test_request_context():
        with write_transaction():
            enqueue("rejected", to="p@example.org", from_name=name, context={
                "practice": {"name": name, "phone": "1", "reply_to": ""},
                "first_name": "A", "reason": "r", "about": ABOUT})
    assert deliver(app).sent == 1
    [got] = smtp.messages
    assert got.mail_from == "portal@localhost" and got.rcpt_tos == ["p@example.org"]
    [sender] = got.message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (shown, "portal@localhost")


@pytest.mark.parametrize("value, expected", [
    ("plain text", "plain text"),
    ("two\r\nlines", "two lines"),
    ("tab\tand\x00nul\x85nel\u2028sep", "tab and nul nel sep"),
    ("x" * 500, "x" * 200),
])
def test_clean_text(value, expected):
    assert clean_text(value, 200) == expected


@pytest.mark.parametrize("value, expected", [
    ("a@example.org", "a@example.org"),
    ("a@example.org\r\nBcc: evil@example.com", "a@example.org"),
    ("a@example.org\nCc: x@y", "a@example.org"),
    ("a@example.org, b@example.org", ""),
    ("Name <a@example.org>", ""),
    ("", ""),
    ("no-at-sign", ""),
    ("ünï@exämple.org", "ünï@exämple.org"),
])
def test_clean_address(value, expected):
    assert clean_address(value) == expected
