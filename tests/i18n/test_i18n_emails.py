"""Every email a patient can get, each variant, rendered in English and in Spanish as
the outbox renders it (outbox.enqueue: force_locale): no English left in the Spanish
one, dates and times written the Spanish way, phone numbers as phonenumbers wrote them."""
import email
import email.policy
import re
from datetime import datetime
from email.header import decode_header, make_header
from itertools import takewhile
from pathlib import Path

import pytest
from flask_babel import force_locale

from auth.clock import format_when
from enrollment.codes import APPOINTMENT_DECLINE_REASONS, REJECTION_REASONS
from outbox import OutboxMessage
from outbox.queue import render_message
from outbox.sender import to_mail
from tests.i18n.compare import same_in_both

EMAILS = Path(__file__).resolve().parents[2] / "templates" / "email"
# The practice's and the dashboard's own emails are in English (the dashboard's catalog).
STAFF_SIDE = {"new_request"}
PATIENT_EMAILS = sorted(p.stem for p in EMAILS.glob("*.txt")
                        if not p.stem.startswith(("_", "staff_")) and p.stem not in STAFF_SIDE)
PRACTICE = {"name": "Riverside Family Medicine", "phone": "(312) 555-0100",
            "reply_to": "office@riverside.example"}
ONE = [{"username": "mariad84", "practice": PRACTICE["name"]}]
VARIANTS = [(name, {}) for name in PATIENT_EMAILS] + [
    ("received_confirm", {"resent": True}),
    ("patient_usernames", {"usernames": ONE + [{"username": "mdelgado",
                                                "practice": "Hillcrest Internal Medicine"}]}),
    ("appointment_confirmed", {"provider": "", "location": ""}),
    ("needs_info", {"practice": {**PRACTICE, "phone": ""}}),
    ("rejected", {"practice": {**PRACTICE, "phone": ""}}),
    ("received_confirm", {"first_name": "", "about": {"reference": "R-7F3KQ2",
                                                      "sent_on": "", "confirmed": False,
                                                      "username": ""}}),
]
STARTS = datetime(2027, 1, 15, 17, 0)   # 11:00 in Chicago


def context(name: str, locale: str, extra: dict) -> dict:
    reasons = APPOINTMENT_DECLINE_REASONS if name.startswith("appointment") else \
        REJECTION_REASONS
    return {"practice": PRACTICE, "first_name": "Maria", "username": "mariad84",
            "portal_url": "https://portal.example/login",
            "login_url": "https://portal.example/login",
            "confirm_url": "https://portal.example/enroll/confirm/abc",
            "link": "https://portal.example/recover/abc",
            "forgot_url": "https://portal.example/forgot-password",
            "hours": 72, "minutes": 60, "resent": False, "usernames": ONE,
            "reason": reasons[next(iter(reasons))],
            "when": format_when(STARTS, "America/Chicago", locale),
            "provider": "Dr. Ana Ortiz", "location": "Main clinic",
            "address": "100 Main Street, Springfield, IL",
            "about": {"reference": "R-7F3KQ2", "sent_on": format_when(
                STARTS, "America/Chicago", locale).date, "confirmed": True,
                "username": "mariad84"},
            "longest": "15 minutes" if locale == "en" else "15 minutos", **extra}


def rendered(app, name: str, locale: str, extra: dict) -> dict:
    with app.test_request_context(), force_locale(locale):
        subject, text, html = render_message(name, context(name, locale, extra))
    lines = "".join(f"<p>{line}</p>" for line in [subject, *text.splitlines()])
    return {"text": lines, "html": html}


DATA = [PRACTICE["name"], PRACTICE["reply_to"], "Maria", "mariad84", "mdelgado",
        "Hillcrest Internal Medicine", "Dr. Ana Ortiz", "Main clinic",
        "100 Main Street, Springfield, IL", "Main clinic, 100 Main Street, Springfield, IL",
        "--", "R-7F3KQ2"]


def test_every_patient_email_is_listed():
    assert {"received_confirm", "approved", "rejected", "needs_info",
            "appointment_confirmed", "appointment_declined", "patient_reset",
            "patient_usernames", "patient_password_changed"} <= set(PATIENT_EMAILS)


@pytest.mark.parametrize(("name", "extra"), VARIANTS,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(VARIANTS)])
def test_every_email_is_in_spanish(app, name, extra):
    en, es = rendered(app, name, "en", extra), rendered(app, name, "es_US", extra)
    assert '<html lang="es-US">' in es["html"]
    for part in ("text", "html"):
        assert same_in_both(en[part], es[part], DATA) == [], (name, part)


def test_an_appointment_is_written_the_spanish_way(app):
    en = rendered(app, "appointment_confirmed", "en", {})["text"]
    es = rendered(app, "appointment_confirmed", "es_US", {})["text"]
    assert "Friday, January 15, 2027, 11:00\u202fAM (CST)" in en.replace(" at ", ", ")
    # es_US: month in words (never 15/1, which staff and patients could misread) and
    # the 12-hour clock of the US.
    assert "viernes, 15 de enero de 2027, 11:00\u202fa.m. (CST)" in es
    assert "(312) 555-0100" in es   # phone numbers: as phonenumbers writes them


@pytest.mark.parametrize("subject", [
    "Hillcrest Internal Medicine recibió su solicitud de inscripción",
    "Hillcrest Internal Medicine tiene un mensaje sobre su solicitud de inscripción",
    "Su cita con Riverside Family Medicine está confirmada",
])
def test_a_spanish_subject_is_sent_as_mail_clients_read_it(app, subject):
    """RFC 2047: encoded words apart from other words, lines within 78 characters, and
    the same subject back from the modern and the legacy decoders."""
    row = OutboxMessage(subject=subject, to_addr="maria@example.org", from_name="Clinic",
                        reply_to="", body_text="x", body_html="<p>x</p>",
                        message_id="<1@portal.test>", template="approved", locale="es_US")
    with app.app_context():
        raw = to_mail(row).as_bytes()
    lines = raw.split(b"\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(b"Subject:"))
    header = [lines[start]] + list(takewhile(lambda line: line[:1] in (b" ", b"\t"),
                                             lines[start + 1:]))
    assert all(len(line) <= 78 for line in header)
    assert not re.search(rb"[^\s]=\?utf-8\?|\?=[^\s]", b" ".join(header), re.I)
    assert email.message_from_bytes(raw, policy=email.policy.default)["Subject"] == subject
    legacy = email.message_from_bytes(raw)["Subject"]
    assert str(make_header(decode_header(legacy))) == subject
