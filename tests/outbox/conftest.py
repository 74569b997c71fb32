"""A real SMTP server on loopback (aiosmtpd), and the app's mail settings pointed at it.

`smtp.stop()` / `smtp.start()` simulate an outage (a stopped aiosmtpd Controller cannot
be restarted, so start() makes a new one on the same port).
"""
import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from extensions import mail
from tests.wizard import GOOD, Patient

# What names a request in an email (enrollment.emails.about_request), for tests that
# queue a request's template directly.
ABOUT = {"reference": "R-TEST22", "sent_on": "Friday, January 15, 2027",
         "confirmed": False, "username": ""}

@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    raw: bytes
    message: email.message.EmailMessage = field(init=False)

    def __post_init__(self):
        self.message = email.message_from_bytes(self.raw, policy=email.policy.default)

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]

    def part(self, subtype: str) -> str:
        found = [p for p in self.message.walk() if p.get_content_type() == f"text/{subtype}"]
        assert len(found) == 1, f"expected one text/{subtype} part"
        return found[0].get_content()


class Handler:
    """Keeps every message; refuses recipients in `refuse` with a permanent 550."""

    def __init__(self):
        self.messages: list[Received] = []
        self.refuse: set[str] = set()
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          envelope.content))
        return "250 Message accepted"


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.handler = Handler()
        self.controller = None

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.messages)

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def mail_to(monkeypatch, app, port: int) -> None:
    """Point the app's Flask-Mail at 127.0.0.1:port, sending for real, until the test
    ends (monkeypatch restores the settings and the Flask-Mail state made from them)."""
    for key, value in (("MAIL_SERVER", "127.0.0.1"), ("MAIL_PORT", port),
                       ("MAIL_SUPPRESS_SEND", False)):
        monkeypatch.setitem(app.config, key, value)
    monkeypatch.setitem(app.extensions, "mail",
                        mail.init_mail(app.config, app.debug, app.testing))


@pytest.fixture
def smtp(app, monkeypatch):
    server = SmtpServer()
    server.start()
    mail_to(monkeypatch, app, server.port)
    yield server
    server.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def enroll(app, practice_id: int, n: int = 0, **overrides) -> Patient:
    """One patient through the whole wizard (CSRF on), with an address of their own."""
    patient = Patient(app.test_client())
    personal = {**GOOD["personal"], "email": f"patient{n}@example.org",
                **overrides.pop("personal", {})}
    credentials = {**GOOD["credentials"], "username": f"outbox-user{n}",
                   **overrides.pop("credentials", {})}
    resp = patient.complete_through("review", practice_id, personal=personal,
                                    credentials=credentials, **overrides)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/enroll/done")
    return patient
