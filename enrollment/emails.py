"""The patient's emails.  What each says lives in templates/email/<name>.txt and .html;
this module chooses the recipient, the practice's details and the language, and queues
the message in the caller's transaction (outbox.enqueue).

Every email about a request says which request: its reference (R-7F3KQ2) and the date
it was sent, in the practice's zone (`about_request`).  Until the request's address is
confirmed, an email to it carries nothing the sender typed: no name, no
username, no message; only the practice's own words, the reference and the date.  Once
it is confirmed, the patient's first name and username may appear too.

What an email may hold besides: the practice's name, phone and reply-to address, a
link, a confirmed appointment's date, time, provider and place.  Never a date of birth,
insurance, an appointment reason, staff notes or any other health detail: email is not
a secure channel.
"""
from urllib.parse import urlsplit

import phonenumbers
from flask import current_app, has_request_context, request as http_request

from auth.clock import When, format_when
from outbox import OutboxMessage, enqueue

from .codes import APPOINTMENT_DECLINE_REASONS, REJECTION_REASONS
from .models import EnrollmentRequest, Practice

CONFIRM_HOURS = 72


def display_phone(number: str) -> str:
    """+12175550142 -> (217) 555-0142; anything unparsable as it is."""
    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email: PORTAL_BASE_URL when set (production), else the
    address the current request came in on (development), else localhost:5000."""
    base = current_app.config.get("PORTAL_BASE_URL") or (
        http_request.url_root if has_request_context() else "http://localhost:5000/")
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def _practice(practice: Practice) -> dict:
    return {"name": practice.name, "phone": display_phone(practice.phone),
            "reply_to": practice.reply_to}


def about_request(req: EnrollmentRequest) -> dict:
    """What names a request in an email: `about` (its reference, the date it was sent in
    the practice's zone, whether its address is confirmed, and then its username) and
    `first_name` (only once the address is confirmed; else "")."""
    confirmed = bool(req.email_confirmed)
    sent = format_when(req.created_at, req.practice.timezone, req.locale or "en")
    username = req.account.username if confirmed and req.account is not None else ""
    return {"about": {"reference": req.reference, "sent_on": sent.date,
                      "confirmed": confirmed, "username": username},
            "first_name": req.first_name if confirmed else ""}


def queue_about(name: str, req: EnrollmentRequest, **context) -> OutboxMessage:
    """Queue email `name` about `req` to its address, in its language, from its practice,
    with `about_request(req)` and `context` (which may not carry typed values: it is
    the caller's to pass only the practice's words, codes' labels and links)."""
    practice = req.practice
    return enqueue(name, to=req.email, from_name=practice.name, reply_to=practice.reply_to,
                   locale=req.locale or "en",
                   context={"practice": _practice(practice), **about_request(req),
                            **context})


def queue_received_confirm(req: EnrollmentRequest, confirm_url: str,
                           resent: bool = False) -> OutboxMessage:
    """'Your request reached the practice and waits for approval; confirm your address.'
    On the appointment path it says an appointment request was sent too (never its
    reason)."""
    return queue_about("received_confirm", req, confirm_url=confirm_url,
                       hours=CONFIRM_HOURS, resent=resent,
                       appointment=req.appointment is not None)


def queue_approved(req: EnrollmentRequest, portal_url: str | None = None) -> OutboxMessage:
    """Approved, with the sign-in link (and the username, once the address is
    confirmed: `about`)."""
    return queue_about("approved", req,
                       portal_url=portal_url or external_url("account.login"))


def queue_needs_info(req: EnrollmentRequest) -> OutboxMessage:
    """'The practice has a message for you: sign in to read it.'  Only that and the
    sign-in link: never the staff's message, nor the sections it concerns."""
    return queue_about("needs_info", req, login_url=external_url("account.login"))


def queue_rejected(req: EnrollmentRequest, reason: str) -> OutboxMessage:
    """Not approved, with one of the fixed REJECTION_REASONS (never staff free text)."""
    if reason not in REJECTION_REASONS:
        raise ValueError(f"unknown rejection reason {reason!r}")
    return queue_about("rejected", req, reason=REJECTION_REASONS[reason])


def queue_new_request_notice(req: EnrollmentRequest) -> OutboxMessage | None:
    """To the practice's reply-to address, when its setting is on: 'a new request is
    waiting', with only a link to the dashboard (no name, nothing about the patient).
    The dashboard's address is built by endpoint name: enrollment imports no admin."""
    practice = req.practice
    if not practice.notify_new_requests or not practice.reply_to:
        return None
    return enqueue("new_request", to=practice.reply_to, from_name=practice.name,
                   locale="en", context={"practice": _practice(practice),
                                         "dashboard_url": external_url("admin.queue")})


def _when(starts_at_utc, zone: str, locale: str) -> When:
    """A UTC time as the patient reads it: in the practice's zone, in their language."""
    return format_when(starts_at_utc, zone, locale)


def queue_appointment_confirmed(req: EnrollmentRequest, starts_at_utc, zone: str,
                                provider: str = "", location: str = "",
                                address: str = "") -> OutboxMessage:
    """The appointment is booked: date, time, provider and place.  Never the visit's
    reason or anything else the patient wrote about their health."""
    return queue_about("appointment_confirmed", req,
                       when=_when(starts_at_utc, zone, req.locale or "en"),
                       provider=provider, location=location, address=address)


def queue_appointment_declined(req: EnrollmentRequest, reason: str) -> OutboxMessage:
    """Not booked, with one of the fixed APPOINTMENT_DECLINE_REASONS."""
    if reason not in APPOINTMENT_DECLINE_REASONS:
        raise ValueError(f"unknown decline reason {reason!r}")
    return queue_about("appointment_declined", req,
                       reason=APPOINTMENT_DECLINE_REASONS[reason])
