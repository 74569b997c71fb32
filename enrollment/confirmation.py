"""Confirming the patient's email address: a single-use link, stored hashed, bound to
the address it was sent to.

On submission (inside its transaction) a token is issued and the "request received"
email queued with the link.  Opening the link shows a page with a button; only the POST
uses the token (mail scanners open links before people do).  A new link can be asked
for from the done page or from an expired link's page, at most once a minute per
request; a new link replaces the old one.

A link confirms exactly the address it was sent to: its row holds a copy of the
request's keyed address hash (`email_hash`), and confirming stores that hash as the
confirmed one.  The request reads confirmed (`EnrollmentRequest.email_confirmed`) only
while its address now is the confirmed one.  Whatever changes a request's address (a
"needs information" correction, a staff edit) calls `address_changed(req)` in the same
transaction: the request is unconfirmed and every unused link stops working (CHANGED).
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

import crypto
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
CHANGED = "changed"   # sent to an address the request no longer has
# What asking for a new link can give.
SENT, WAIT, CONFIRMED, CLOSED = "sent", "wait", "confirmed", "closed"


def start(req: EnrollmentRequest, resent: bool = False) -> None:
    """Inside the caller's write transaction: a new link to the request's address now
    (replacing any unused one to it) and the email that carries it.  `req` must have
    its id (flush first)."""
    now = utcnow()
    token, token_hash = tokens.new()
    db.session.execute(sa.delete(EmailConfirmation).where(
        EmailConfirmation.request_id == req.id, EmailConfirmation.used_at.is_(None),
        EmailConfirmation.email_hash == req.email_hash))
    db.session.add(EmailConfirmation(request_id=req.id, token_hash=token_hash,
                                     email_hash=req.email_hash, created_at=now,
                                     expires_at=now + TTL))
    req.confirmation_sent_at = now
    link = external_url("confirm_email.page", token=token)
    queue_received_confirm(req, link, resent=resent)


def address_changed(req: EnrollmentRequest) -> None:
    """Inside the write transaction that changed `req`'s address (an ORM attribute or
    an UPDATE): its hash follows the new address, it reads unconfirmed, and every
    unused link stops working (each then says its address changed).  The one call for
    every path that changes an address."""
    db.session.flush()
    email = db.session.execute(sa.select(EnrollmentRequest.email).where(
        EnrollmentRequest.id == req.id)).scalar_one()
    db.session.execute(sa.update(EnrollmentRequest).where(EnrollmentRequest.id == req.id)
                       .values(email_hash=crypto.name_hash(email), email_confirmed_hash=None,
                               email_confirmed_at=None)
                       .execution_options(synchronize_session=False))
    db.session.execute(sa.update(EmailConfirmation).where(
        EmailConfirmation.request_id == req.id, EmailConfirmation.used_at.is_(None))
        .values(email_hash=None).execution_options(synchronize_session=False))
    db.session.expire(req)


def lookup(token: str) -> tuple[str, EmailConfirmation | None]:
    """What a link is (VALID, USED, EXPIRED, UNKNOWN, or CHANGED when the request's
    address is no longer the one it was sent to) and its row, changing nothing."""
    state, row = tokens.lookup(EmailConfirmation, token)
    if state in (VALID, EXPIRED) and not _bound(row):
        return CHANGED, row
    return state, row


def _bound(row: EmailConfirmation) -> bool:
    """The link's address is the request's address now."""
    current = db.session.execute(sa.select(EnrollmentRequest.email_hash).where(
        EnrollmentRequest.id == row.request_id)).scalar()
    return row.email_hash is not None and row.email_hash == current


class _Changed(Exception):
    """The address changed between the look-up and the use: nothing is written."""


def confirm(token: str) -> tuple[str, EmailConfirmation | None]:
    """Use the link: CONFIRMED once (the request's address, if still the one it was
    sent to, is confirmed); after that USED; EXPIRED, CHANGED or UNKNOWN otherwise."""
    try:
        with write_transaction():
            state, row = lookup(token)
            if state != VALID:
                return state, row
            if not _use(row):   # a concurrent click won
                return USED, row
    except _Changed:
        return CHANGED, row
    return CONFIRMED, row


def _use(row: EmailConfirmation) -> bool:
    """Inside confirm's transaction: the link used, its address confirmed (the first
    confirmation of an address tells the practice the request arrived)."""
    now = utcnow()
    used = db.session.execute(
        sa.update(EmailConfirmation)
        .where(EmailConfirmation.id == row.id, EmailConfirmation.used_at.is_(None),
               EmailConfirmation.expires_at > now,
               EmailConfirmation.email_hash == row.email_hash)
        .values(used_at=now).execution_options(synchronize_session=False))
    if used.rowcount != 1:
        return False
    R = EnrollmentRequest
    first = db.session.execute(
        sa.update(R).where(R.id == row.request_id, R.email_hash == row.email_hash,
                           sa.or_(R.email_confirmed_hash.is_(None),
                                  R.email_confirmed_hash != R.email_hash))
        .values(email_confirmed_hash=row.email_hash, email_confirmed_at=now)
        .execution_options(synchronize_session=False))
    if first.rowcount == 1:   # the request now "arrives" at the practice
        req = db.session.get(EnrollmentRequest, row.request_id, populate_existing=True)
        if req.status == PENDING:
            queue_new_request_notice(req)
    elif not _bound(row):
        raise _Changed()
    return True


def resend(request_id: int) -> str:
    """A new link for a request not yet decided (pending, or with the patient for
    corrections): SENT, or WAIT (one a minute), CONFIRMED, CLOSED."""
    with write_transaction():
        req = db.session.get(EnrollmentRequest, request_id, populate_existing=True)
        if req is None or req.status not in (PENDING, NEEDS_INFO):
            return CLOSED
        if req.email_confirmed:
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
            "confirmed": bool(req.email_confirmed), "reference": req.reference,
            "required": current_app.config["APPROVAL_REQUIRES_CONFIRMED_EMAIL"]}


def approval_allowed(req: EnrollmentRequest) -> bool:
    """For the staff dashboard: its address now confirmed, unless the setting
    APPROVAL_REQUIRES_CONFIRMED_EMAIL is turned off."""
    return (bool(req.email_confirmed)
            or not current_app.config["APPROVAL_REQUIRES_CONFIRMED_EMAIL"])
