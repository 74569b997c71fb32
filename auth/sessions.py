"""The server-side session table: one row per signed-in session.

The browser's (signed) session cookie holds a random 256-bit token; this table holds
only its SHA-256, with the kind of user, the user's id, when it began, when it was last
used and when it ended.  Signing out, disabling the user, an idle timeout or the end of
the session's lifetime (however busy it was) set `ended_at`, so a copied cookie is
worthless from then on.
"""
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import g
from sqlalchemy.orm import Mapped, mapped_column

from database import write_transaction
from extensions import db

from .clock import utcnow
from .tokens import digest

# last_seen_at is written at most this often (one UPDATE, not one per request).
TOUCH_EVERY = timedelta(seconds=10)


class AuthSession(db.Model):
    __tablename__ = "auth_session"
    __table_args__ = (sa.Index("ix_auth_session_user", "kind", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))      # a registered kind (auth.login)
    user_id: Mapped[int]
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


def begin(kind: str, user_id: int, ip: str = "") -> str:
    """A new session row; returns the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with write_transaction():
        db.session.add(AuthSession(token_hash=digest(token), kind=kind, user_id=user_id,
                                   ip=(ip or "")[:45], created_at=now, last_seen_at=now))
    return token


def end(token: str | None) -> None:
    if not token:
        return
    with write_transaction():
        db.session.execute(sa.update(AuthSession).where(
            AuthSession.token_hash == digest(token), AuthSession.ended_at.is_(None))
            .values(ended_at=utcnow()))


def end_all(kind: str, user_id: int, except_token: str | None = None) -> int:
    """End every open session of one user (disabled, password reset...), but the one
    of `except_token` (the session that changed its own password stays)."""
    where = [AuthSession.kind == kind, AuthSession.user_id == user_id,
             AuthSession.ended_at.is_(None)]
    if except_token:
        where.append(AuthSession.token_hash != digest(except_token))
    with write_transaction():
        return db.session.execute(sa.update(AuthSession).where(*where)
                                  .values(ended_at=utcnow())).rowcount


def check(token: str | None, kind: str, user_id: int, idle: timedelta,
          lifetime: timedelta) -> bool:
    """True when `token` names an open session of this user, used within `idle` and
    begun less than `lifetime` ago; an idle or too old one is ended here.  Touches
    last_seen_at (at most every TOUCH_EVERY)."""
    if not token:
        return False
    row = db.session.execute(sa.select(AuthSession).where(
        AuthSession.token_hash == digest(token))
        .execution_options(populate_existing=True)).scalar()
    if row is None or row.ended_at is not None or row.kind != kind or row.user_id != user_id:
        return False
    now = utcnow()
    if row.last_seen_at <= now - idle or row.created_at <= now - lifetime:
        _set(row.id, ended_at=now)
        return False
    if row.last_seen_at <= now - TOUCH_EVERY:
        _set(row.id, last_seen_at=now)
    g.auth_session_id = row.id   # what this session keeps (a staff search) names it
    return True


def _set(row_id: int, **values) -> None:
    with write_transaction():
        db.session.execute(sa.update(AuthSession).where(
            AuthSession.id == row_id, AuthSession.ended_at.is_(None)).values(**values))


def purge(keep: timedelta = timedelta(days=30), now: datetime | None = None) -> int:
    """Delete session rows ended (or last used) longer ago than `keep`; for cron."""
    cutoff = (now or utcnow()) - keep
    with write_transaction():
        return db.session.execute(sa.delete(AuthSession).where(sa.or_(
            AuthSession.ended_at < cutoff, AuthSession.last_seen_at < cutoff))).rowcount
