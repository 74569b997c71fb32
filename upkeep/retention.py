"""`flask --app app purge` (cron, hourly): everything that is kept for a while and then
deleted, in one pass, each kind counted.

| kind | deleted when |
| --- | --- |
| drafts | expired (DRAFT_TTL_HOURS after the last save) |
| human checks | their challenge expired |
| sign-in sessions | ended or last used over 30 days ago |
| links (email confirmation, recovery, staff invitation or reset) | expired over 30 days ago |
| a rejected request's personal data | RETENTION_REJECTED_DAYS after the decision |
| audit rows | AUDIT_RETENTION_DAYS after they were written |

Sent outbox messages lose their bodies when sent (outbox/sender.py).  When a rejected
request's data goes, so do the sent or failed emails to its address, unless another
request still holds that address."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from account.models import RecoveryToken
from admin.appointments.models import AppointmentDecision
from admin.requests import places
from admin.requests.models import Decision
from admin.staff.models import StaffToken
from audit.models import purge_older_than
from auth import sessions
from auth.clock import utcnow
from database import write_transaction
from enrollment import drafts, human_check, retention
from enrollment.models import AppointmentRequest, EmailConfirmation
from extensions import db
from outbox import PENDING, OutboxMessage

BATCH = 500
SESSION_KEEP = timedelta(days=30)
LINK_KEEP = timedelta(days=30)   # an expired link still says "expired" for a month


def expired_links(now: datetime) -> int:
    cutoff, deleted = now - LINK_KEEP, 0
    with write_transaction():
        for model in (EmailConfirmation, RecoveryToken, StaffToken):
            deleted += db.session.execute(sa.delete(model).where(
                model.expires_at < cutoff)).rowcount
    return deleted


def _forget_emails(addresses: set) -> None:
    """The sent or failed emails to addresses no request holds any more."""
    for address in addresses:
        if address and not retention.address_still_used(address):
            db.session.execute(sa.delete(OutboxMessage).where(
                sa.func.lower(OutboxMessage.to_addr) == address.lower(),
                OutboxMessage.status != PENDING).execution_options(synchronize_session=False))


def rejected_requests(now: datetime) -> int:
    """Delete the personal data of rejected requests past RETENTION_REJECTED_DAYS, a
    batch per transaction; how many requests."""
    done = 0
    while True:
        with write_transaction():
            found = retention.due(now, BATCH)
            if not found:
                return done
            ids = [row_id for row_id, _ in found]
            retention.scrub(ids, now)
            # Staff's notes on these requests may name the patient's details.
            db.session.execute(sa.update(Decision).where(Decision.request_id.in_(ids))
                               .values(note="").execution_options(synchronize_session=False))
            appointments = sa.select(AppointmentRequest.id).where(
                AppointmentRequest.enrollment_id.in_(ids))
            db.session.execute(sa.update(AppointmentDecision).where(
                AppointmentDecision.appointment_id.in_(appointments)).values(note="")
                .execution_options(synchronize_session=False))
            _forget_emails({email for _, email in found})
        done += len(found)


def audit_rows(now: datetime) -> int:
    return purge_older_than(now - timedelta(days=current_app.config["AUDIT_RETENTION_DAYS"]))


def purge(now: datetime | None = None) -> list[tuple[str, int]]:
    """Run every kind; (what, how many deleted) in order."""
    now = now or utcnow()
    cfg = current_app.config
    return [
        ("expired drafts deleted", drafts.purge_expired(now)),
        ("expired human-check records deleted", human_check.purge_expired(now)),
        ("sign-in sessions over 30 days old deleted", sessions.purge(SESSION_KEEP, now)),
        ("staff searches over a day old deleted", places.purge_searches(now)),
        ("links expired over 30 days ago deleted", expired_links(now)),
        (f"rejected requests whose personal data was deleted (after "
         f"{cfg['RETENTION_REJECTED_DAYS']} days)", rejected_requests(now)),
        (f"audit rows over {cfg['AUDIT_RETENTION_DAYS']} days old deleted", audit_rows(now)),
    ]
