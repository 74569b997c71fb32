"""send_due(): deliver what is due, through Flask-Mail over SMTP, with leases and retries;
and run the jobs that are due (outbox.jobs), claimed and retried the same way.

How a row moves: `pending` -> claimed (a lease: `lease_owner`, `lease_until`, and one
more `attempt`) -> `sent`, or back to `pending` with `next_attempt_at` pushed out
exponentially, or `failed` after OUTBOX_MAX_ATTEMPTS tries (or at once when the SMTP
server refuses for good, a 5xx).  A claim is one short transaction:
PostgreSQL takes the next due row with `SELECT ... FOR UPDATE SKIP LOCKED`, so two
senders never wait for or take the same row; SQLite (one writer at a time, BEGIN
IMMEDIATE) uses one conditional UPDATE that only succeeds on a row still due and
unleased.  The SMTP conversation happens outside any transaction, under the lease.

The duplicate window, the one way a message can go out twice: the SMTP server has
accepted the message but the sender has not yet recorded it as sent (the process dies,
the database is unreachable, or the conversation outlasted LEASE).  When the lease
expires another pass sends it again, with the same Message-ID, so mail clients and
servers that de-duplicate on Message-ID show it once.  Nothing closes this window
completely short of a transactional mail server; keeping it to the moment between
"250 OK" and one UPDATE is what the lease and the per-message claim do.
"""
import email.policy
import logging
import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.header import Header
from email.utils import formataddr, parseaddr
from typing import Callable

import sqlalchemy as sa
from flask import current_app
from flask_mail import BadHeaderError, Connection, Message, email_dispatched, sanitize_address

from database import write_transaction
from extensions import db

from .jobs import handler_for
from .models import DONE, FAILED, JOB, PENDING, SENT, OutboxMessage, utcnow

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)      # far longer than one SMTP conversation may take
SMTP_TIMEOUT = 30                 # seconds, for connect and for every command
BACKOFF_CAP = timedelta(hours=4)
PERMANENT = (BadHeaderError, ValueError, UnicodeError, AssertionError)
SMTPUTF8 = "SMTPUTF8"   # an address beyond ASCII (accepted only with MAIL_SMTPUTF8=true)


@dataclass
class Report:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    lost_lease: int = 0
    jobs: int = 0      # jobs done (outbox.jobs)

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.failed + self.lost_lease + self.jobs


class TimedConnection(Connection):
    """Flask-Mail's connection, with a timeout: a silent server must not hang a sender."""

    def configure_host(self):
        cls = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = cls(self.mail.server, self.mail.port, timeout=SMTP_TIMEOUT)
        host.set_debuglevel(int(self.mail.debug))
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host

    def send(self, message: Message, envelope_from=None) -> None:
        if SMTPUTF8 not in message.mail_options:
            return super().send(message, envelope_from)
        # RFC 6531: the recipient's address as it is, in the envelope and in To, the
        # message in UTF-8.  Flask-Mail cannot write such an address in a header (it
        # raises), so its To is made for a stand-in and then replaced.
        if message.has_bad_headers():
            raise BadHeaderError
        message.date = message.date or time.time()
        recipients, message.recipients = message.recipients, ["smtputf8@invalid"]
        try:
            mime = message._message()
        finally:
            message.recipients = recipients
        mime.replace_header("To", ", ".join(recipients))
        self.host.sendmail(sanitize_address(envelope_from or message.sender),
                           list(message.send_to), mime.as_bytes(policy=email.policy.SMTPUTF8),
                           message.mail_options, message.rcpt_options)
        email_dispatched.send(current_app._get_current_object(), message=message)


def backoff(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed try: base, 2 x base, 4 x base ... capped."""
    base = timedelta(seconds=current_app.config["OUTBOX_BACKOFF_SECONDS"])
    return min(base * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def _due(now: datetime):
    return sa.and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now,
                   sa.or_(OutboxMessage.lease_until.is_(None),
                          OutboxMessage.lease_until <= now))


def claim(now: datetime) -> tuple[OutboxMessage, str] | None:
    """Lease the next due message to this caller; None when nothing is due."""
    token = uuid.uuid4().hex
    lease = {"lease_owner": token, "lease_until": now + LEASE,
             "attempts": OutboxMessage.attempts + 1}
    order = (OutboxMessage.next_attempt_at, OutboxMessage.id)
    with write_transaction():
        if db.engine.dialect.name == "postgresql":
            picked = db.session.execute(
                sa.select(OutboxMessage.id).where(_due(now)).order_by(*order).limit(1)
                .with_for_update(skip_locked=True)).scalar()
            if picked is None:
                return None
            target = OutboxMessage.id == picked
        else:
            picked = sa.select(OutboxMessage.id).where(_due(now)).order_by(*order).limit(1)
            target = sa.and_(OutboxMessage.id == picked.scalar_subquery(), _due(now))
        done = db.session.execute(sa.update(OutboxMessage).where(target).values(**lease)
                                  .execution_options(synchronize_session=False))
        if done.rowcount != 1:
            return None
        message = db.session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.lease_owner == token)
            .execution_options(populate_existing=True)).scalar_one()
    return message, token


def sender_of(row: OutboxMessage) -> tuple[str, str]:
    """(From header, envelope sender).  The practice's name goes in as a quoted string:
    Flask-Mail joins a (name, address) pair unquoted, and a name holding ":" or "<"
    would then be read as a different address."""
    configured = current_app.config["MAIL_DEFAULT_SENDER"]
    name, address = parseaddr(configured if isinstance(configured, str)
                              else formataddr(configured))
    name = row.from_name or name
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return (f'"{quoted}" <{address}>' if name else address), address


class _Mail(Message):
    """A subject with letters beyond ASCII ("Su cita está confirmada") as RFC 2047
    encoded words, folded once: Flask-Mail encodes it, then the SMTP policy folds it
    again, gluing an encoded word to a word ("inscripci=?utf-8?q?=C3=B3n?=", which
    mail clients show as it is) or doubling a space."""

    def _message(self):
        msg = super()._message()
        if self.subject and not self.subject.isascii():
            msg.policy = policy.compat32   # store the encoded lines as they are
            msg.replace_header("Subject", Header(self.subject, "utf-8",
                                                 header_name="Subject").encode())
            msg.policy = policy.SMTP.clone(refold_source="none")
        return msg


def to_mail(row: OutboxMessage) -> Message:
    sender, _ = sender_of(row)
    msg = _Mail(subject=row.subject, recipients=[row.to_addr], sender=sender,
                  body=row.body_text, html=row.body_html or None,
                  reply_to=row.reply_to or None,
                  extra_headers={"Auto-Submitted": "auto-generated"})
    msg.msgId = row.message_id
    if not row.to_addr.isascii():
        msg.mail_options = [SMTPUTF8]
    return msg


def _finish(row: OutboxMessage, token: str, values: dict) -> bool:
    with write_transaction():
        done = db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == row.id, OutboxMessage.lease_owner == token)
            .values(lease_owner=None, lease_until=None, **values)
            .execution_options(synchronize_session=False))
    return done.rowcount == 1


def _failure(row: OutboxMessage, exc: Exception, now: datetime) -> dict:
    code = getattr(exc, "smtp_code", 0) or 0
    refused = getattr(exc, "recipients", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and refused:
        code = min(c for c, _ in refused.values())
    permanent = isinstance(exc, PERMANENT) or code >= 500
    # The class and SMTP code only, never the exception's text: a server's reply or an
    # encoding error may quote the recipient or a piece of the (encrypted) body.
    error = f"{type(exc).__name__} {code}" if code else type(exc).__name__
    if permanent or row.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        return {"status": FAILED, "last_error": error}
    return {"next_attempt_at": now + backoff(row.attempts), "last_error": error}


class _Session:
    """One SMTP connection for a pass, opened on first use, reopened after an error."""

    def __init__(self):
        self.conn = None

    def send(self, msg: Message, envelope_from: str) -> None:
        if self.conn is None:
            conn = TimedConnection(current_app.extensions["mail"])
            self.conn = conn.__enter__()
        self.conn.send(msg, envelope_from=envelope_from)

    def drop(self) -> None:
        if self.conn is not None and self.conn.host is not None:
            try:
                self.conn.host.close()
            except (OSError, smtplib.SMTPException):
                pass
        self.conn = None

    def close(self) -> None:
        if self.conn is not None and self.conn.host is not None:
            try:
                self.conn.host.quit()
            except (OSError, smtplib.SMTPException):
                self.conn.host.close()
        self.conn = None


def send_due(limit: int = 100, clock: Callable[[], datetime] = utcnow) -> Report:
    """Send up to `limit` due messages, one claim at a time; returns what happened.

    `clock` gives "now" for claims, leases, back-off and `sent_at` (tests pass a
    clock that moves; production uses the real one)."""
    report, smtp = Report(), _Session()
    due = db.session.execute(sa.select(OutboxMessage.id).where(_due(clock())).limit(1))
    nothing_due = due.first() is None   # a read: no write lock while the queue is empty
    db.session.commit()
    if nothing_due:
        return report
    try:
        while report.claimed < limit:
            claimed = claim(clock())
            if claimed is None:
                break
            if claimed[0].kind == JOB:
                _run_job(*claimed, report, clock)
            else:
                _deliver(*claimed, smtp, report, clock)
    finally:
        smtp.close()
    return report


def _give_back(row: OutboxMessage, token: str, exc: Exception, report: Report,
               now: datetime) -> None:
    """A failed try: back to pending with a back-off, or failed for good."""
    values = _failure(row, exc, now)
    if not _finish(row, token, values):
        report.lost_lease += 1
    elif values.get("status") == FAILED:
        report.failed += 1
    else:
        report.retrying += 1


def _run_job(row: OutboxMessage, token: str, report: Report,
             clock: Callable[[], datetime]) -> None:
    """The job's handler and its `done` in ONE transaction (outbox.jobs): the emails it
    queues exist only if it is done.  A failure is retried like a message's."""
    handler = handler_for(row.template)
    try:
        if handler is None:
            raise ValueError(f"no job called {row.template!r}")
        with write_transaction():
            ours = db.session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.lease_owner == token)
                .values(status=DONE, sent_at=clock(), payload="", last_error="",
                        lease_owner=None, lease_until=None)
                .execution_options(synchronize_session=False)).rowcount
            if ours == 1:
                handler(row.payload)
    except Exception as exc:   # whatever the handler met: the job is tried again later
        log.warning("outbox: job %s attempt %s failed: %s", row.id, row.attempts,
                    type(exc).__name__)
        _give_back(row, token, exc, report, clock())
        return
    if ours == 1:
        report.jobs += 1
    else:
        report.lost_lease += 1


def _deliver(row: OutboxMessage, token: str, smtp: _Session, report: Report,
             clock: Callable[[], datetime]) -> None:
    try:
        smtp.send(to_mail(row), envelope_from=sender_of(row)[1])
    except (OSError, smtplib.SMTPException, *PERMANENT) as exc:
        smtp.drop()
        # The class and SMTP code only: a server's reply text may quote the recipient.
        log.warning("outbox: message %s attempt %s failed: %s %s", row.id, row.attempts,
                    type(exc).__name__, getattr(exc, "smtp_code", ""))
        _give_back(row, token, exc, report, clock())
        return
    values = {"status": SENT, "sent_at": clock(), "last_error": "", "body_text": "",
              "body_html": ""}
    if _finish(row, token, values):
        report.sent += 1
    else:   # the lease ran out mid-send: another pass may send it again (see above)
        log.warning("outbox: message %s sent after its lease expired", row.id)
        report.lost_lease += 1
