"""Confirming the patient's email address: a single-use link, stored hashed.

On submission (inside its transaction) a token is issued and the "request received"
email queued with the link.  Opening the link shows a page with a button; only the POST
uses the token (mail scanners open links before people do).  A new link can be asked
for from the done page or from an expired link's page, at most once a minute per
request; a new link replaces the old one.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from auth import tokens
from database import write_transaction
from extensions import db

from .codes import NEEDS_INFO, PENDING
from .emails import (CONFIRM_HOURS, external_url, queue_new_request_notice,
                     queue_received_confirm)
from .models import EmailConfirmation, EnrollmentRequest, utcnow

TTL = timedelta(hours=CONFIRM_HOURS)
RESEND_INTERVAL = timedelta(minutes=1)
# What a link can turn out to be.
VALID, USED, EXPIRED, UNKNOWN = tokens.VALID, tokens.USED, tokens.EXPIRED, tokens.UNKNOWN
# What asking for a new link can give.
SENT, WAIT, CONFIRMED, CLOSED = "sent", "wait", "confirmed", "closed"


def start(req: EnrollmentRequest, resent: bool = False) -> None:
    """Inside the caller's write transaction: a new link (replacing any unused one) and
    the email that carries it.  `req` must have its id (flush first)."""
    now = utcnow()
    token, token_hash = tokens.new()
    db.session.execute(sa.delete(EmailConfirmation).where(
        EmailConfirmation.request_id == req.id, EmailConfirmation.used_at.is_(None)))
    db.session.add(EmailConfirmation(request_id=req.id, token_hash=token_hash,
                                     created_at=now, expires_at=now + TTL))
    req.confirmation_sent_at = now
    link = external_url("confirm_email.page", token=token)
    queue_received_confirm(req, link, resent=resent)


def lookup(token: str) -> tuple[str, EmailConfirmation | None]:
    """What a link is (VALID, USED, EXPIRED, UNKNOWN) and its row, changing nothing."""
    return tokens.lookup(EmailConfirmation, token)


def confirm(token: str) -> tuple[str, EmailConfirmation | None]:
    """Use the link: CONFIRMED once; after that USED; EXPIRED or UNKNOWN otherwise."""
    with write_transaction():
        state, row = lookup(token)
        if state != VALID:
            return state, row
        now = utcnow()
        used = db.session.execute(
            sa.update(EmailConfirmation)
            .where(EmailConfirmation.id == row.id, EmailConfirmation.used_at.is_(None),
                   EmailConfirmation.expires_at > now)
            .values(used_at=now).execution_options(synchronize_session=False))
        if used.rowcount != 1:   # a concurrent click won
            return USED, row
        first = db.session.execute(
            sa.update(EnrollmentRequest)
            .where(EnrollmentRequest.id == row.request_id,
                   EnrollmentRequest.email_confirmed_at.is_(None))
            .values(email_confirmed_at=now).execution_options(synchronize_session=False))
        if first.rowcount == 1:   # the request now "arrives" at the practice
            req = db.session.get(EnrollmentRequest, row.request_id)
            if req is not None and req.status == PENDING:
                queue_new_request_notice(req)
    return CONFIRMED, row


def resend(request_id: int) -> str:
    """A new link for a request not yet decided (pending, or with the patient for
    corrections): SENT, or WAIT (one a minute), CONFIRMED, CLOSED."""
    with write_transaction():
        req = db.session.get(EnrollmentRequest, request_id, populate_existing=True)
        if req is None or req.status not in (PENDING, NEEDS_INFO):
            return CLOSED
        if req.email_confirmed_at is not None:
            return CONFIRMED
        now = utcnow()
        claimed = db.session.execute(
            sa.update(EnrollmentRequest)
            .where(EnrollmentRequest.id == req.id, sa.or_(
                EnrollmentRequest.confirmation_sent_at.is_(None),
                EnrollmentRequest.confirmation_sent_at <= now - RESEND_INTERVAL))
            .values(confirmation_sent_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            return WAIT
        start(req, resent=True)
    return SENT


def status(request_id: int | None) -> dict | None:
    """What the done page says about the address: masked, and whether it is confirmed."""
    req = (db.session.get(EnrollmentRequest, request_id, populate_existing=True)
           if request_id else None)
    if req is None:
        return None
    local, _, domain = req.email.partition("@")
    return {"email": f"{local[:1]}…@{domain}", "pending": req.status == PENDING,
            "confirmed": req.email_confirmed_at is not None,
            "required": current_app.config["APPROVAL_REQUIRES_CONFIRMED_EMAIL"]}


def approval_allowed(req: EnrollmentRequest) -> bool:
    """For the staff dashboard: a confirmed address, unless the setting
    APPROVAL_REQUIRES_CONFIRMED_EMAIL is turned off."""
    return (req.email_confirmed_at is not None
            or not current_app.config["APPROVAL_REQUIRES_CONFIRMED_EMAIL"])
