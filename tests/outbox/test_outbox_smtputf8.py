"""Rule 8, patients' addresses: characters beyond ASCII before the @ are accepted only
when MAIL_SMTPUTF8=true says the SMTP server carries them, and then the outbox sends
with SMTPUTF8 (RFC 6531): the address as it is in the envelope and in To.  Without it
the form refuses them with a clear message (no outbox row that could never be sent);
a domain beyond ASCII is kept in its ASCII form.  A real aiosmtpd server, SMTPUTF8 on."""
import email
import email.policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from enrollment.models import EnrollmentRequest
from extensions import db
from outbox import OutboxMessage, send_due
from tests.outbox.conftest import Handler, enroll, free_port, mail_to
from tests.wizard import GOOD, Patient

ADDRESS = "jos\u00e9.n\u00fa\u00f1ez@example.org"


@pytest.fixture
def utf8_smtp(app, monkeypatch):
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, enable_SMTPUTF8=True)
    controller.start()
    mail_to(monkeypatch, app, port)
    yield handler
    controller.stop()


def requests(app) -> list:
    with app.app_context():
        return list(db.session.execute(sa.select(EnrollmentRequest.email)).scalars())


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_without_smtputf8_the_form_refuses_it_clearly(app, client, practices, htmx):
    assert app.config["MAIL_SMTPUTF8"] is False
    patient = Patient(client, htmx=htmx)
    patient.complete_through("practice", practices["riverside-family"])
    resp = patient.step("personal", {**GOOD["personal"], "email": ADDRESS})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Our mail server cannot deliver to the letters you typed before the @" in html
    with app.app_context():
        assert db.session.execute(sa.select(OutboxMessage)).first() is None


def test_without_smtputf8_a_domain_beyond_ascii_is_kept_as_ascii(app, practices):
    enroll(app, practices["riverside-family"], personal={"email": "maria@b\u00fccher.example"})
    assert requests(app) == ["maria@xn--bcher-kva.example"]


def test_with_smtputf8_it_is_sent_as_it_is(app, practices, utf8_smtp, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SMTPUTF8", True)
    enroll(app, practices["riverside-family"], personal={"email": ADDRESS})
    assert requests(app) == [ADDRESS]
    with app.app_context():
        report = send_due()
    assert (report.sent, report.failed, report.retrying) == (1, 0, 0)
    [received] = utf8_smtp.messages
    assert received.rcpt_tos == [ADDRESS]
    message = email.message_from_bytes(received.raw, policy=email.policy.default)
    assert message["To"] == ADDRESS


def test_ascii_addresses_still_go_without_smtputf8(app, practices, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SMTPUTF8", True)
    enroll(app, practices["riverside-family"], personal={"email": "plain@example.org"})
    with app.app_context():
        assert send_due().sent == 1
    assert smtp.messages[0].rcpt_tos == ["plain@example.org"]
