"""The outbox table: one row per email, written in the transaction that causes it, or per
job (a small task for the sender to run, such as a recovery look-up: outbox.jobs)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from auth.clock import utcnow  # noqa: F401  (re-exported for outbox's modules)
from crypto import EncryptedText
from extensions import db

PENDING, SENT, FAILED, DONE = "pending", "sent", "failed", "done"
EMAIL, JOB = "email", "job"


class OutboxMessage(db.Model):
    """A message waiting for the sender, or what is left of it once it went out.

    `message_id` is chosen when the row is written and kept across retries, so a copy
    that does get sent twice (see outbox.sender) carries the same Message-ID.  The bodies
    are cleared once the SMTP server has accepted the message: they may hold a link that
    works only once, and the database is not where a delivered email should live on.

    A job (`kind` JOB) names its handler in `template` and holds its argument in
    `payload` (a keyed hash, never what a person typed); it is claimed, leased and
    retried like a message, and ends `done` (payload cleared) or `failed`.
    """
    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10), default=EMAIL, server_default=EMAIL)
    payload: Mapped[str] = mapped_column(sa.String(128), default="", server_default="")
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    template: Mapped[str] = mapped_column(sa.String(60))
    locale: Mapped[str] = mapped_column(sa.String(10), default="en")
    to_addr: Mapped[str] = mapped_column(sa.String(254))
    from_name: Mapped[str] = mapped_column(sa.String(120), default="")
    reply_to: Mapped[str] = mapped_column(sa.String(254), default="")
    subject: Mapped[str] = mapped_column(sa.String(200))
    # Encrypted while they wait (crypto.py); "" once sent.
    body_text: Mapped[str] = mapped_column(EncryptedText, default="")
    body_html: Mapped[str] = mapped_column(EncryptedText, default="")
    status: Mapped[str] = mapped_column(sa.String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(sa.String(64))
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
