"""Sign-in throttling per account name, for staff and patients alike (README
"Throttling").

After LOGIN_THROTTLE_AFTER failures in a row, each failure makes the next try wait:
LOGIN_THROTTLE_FIRST_SECONDS, doubling with each further failure, capped at
LOGIN_THROTTLE_MAX_SECONDS.  A try during the wait is refused without looking at the
password and is not counted, so a stranger typing wrong passwords for a name slows its
owner down for at most the cap, never locks them out; the right password after the
wait signs in.  At the hard limit (PATIENT_/STAFF_MAX_FAILED_LOGINS, NIST SP 800-63B
5.2.2) the password stops working until it is set again.

The count of a real account lives on its row (`failed_logins`, `throttled_until`: any
server sees it).  A name that matches no account is counted the same way, so the
sign-in page cannot tell the two apart: under the keyed hash of the normalized name
(crypto.index_hash, never the name), in Redis when RATELIMIT_STORAGE_URI is redis://,
else in the table `login_throttle`; either forgets a name LOGIN_THROTTLE_KEEP_DAYS after
its last failure, so the counts cannot grow without bound.

Time is `now()` (auth.clock.utcnow): tests move it by replacing `utcnow` here."""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import ngettext
from sqlalchemy.orm import Mapped, mapped_column

import crypto
from database import write_transaction
from extensions import db

from .clock import utcnow

REDIS_PREFIX = "portal:signin:"
REDIS_EXTENSION = "login_throttle_redis"


def now() -> datetime:
    return utcnow()


@dataclass(frozen=True)
class Count:
    """Failures in a row, and the end of the wait they impose (None: no wait)."""
    failures: int = 0
    until: datetime | None = None

    def waiting(self, at: datetime) -> timedelta | None:
        """What is left of the wait at `at` (None when there is none)."""
        if self.until is None or self.until <= at:
            return None
        return self.until - at


class LoginThrottle(db.Model):
    """Failures for a name that matches no account, by the keyed hash of the name, with
    the end of its wait and when the row is forgotten (purged as failures come in)."""
    __tablename__ = "login_throttle"
    key_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    throttled_until: Mapped[datetime | None]
    expires_at: Mapped[datetime] = mapped_column(index=True)


# --- the schedule ----------------------------------------------------------------------

def wait_after(failures: int) -> timedelta | None:
    """The wait that `failures` failures in a row impose on the next try."""
    cfg = current_app.config
    extra = failures - cfg["LOGIN_THROTTLE_AFTER"]
    if extra < 0:
        return None
    first, cap = cfg["LOGIN_THROTTLE_FIRST_SECONDS"], cfg["LOGIN_THROTTLE_MAX_SECONDS"]
    return timedelta(seconds=min(first * 2 ** min(extra, 40), cap))


def until_after(failures: int, at: datetime) -> datetime | None:
    wait = wait_after(failures)
    return at + wait if wait is not None else None


def starts_now(failures: int) -> bool:
    """This failure is the one that starts the waits (the owner hears of it once)."""
    return failures == current_app.config["LOGIN_THROTTLE_AFTER"]


def wait_text(wait: timedelta) -> str:
    """A wait as a person reads it, rounded up: "3 seconds", "2 minutes"."""
    seconds = math.ceil(wait.total_seconds())
    if seconds < 60:
        return ngettext("%(num)d second", "%(num)d seconds", seconds)
    minutes = math.ceil(seconds / 60)
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


def longest_wait_text() -> str:
    """The cap of the waits, as a person reads it (for the owner's notice)."""
    return wait_text(timedelta(seconds=current_app.config["LOGIN_THROTTLE_MAX_SECONDS"]))


def schedule(limit: int) -> list[tuple[int, int]]:
    """[(failures, seconds of wait)] from the first wait to `limit` (the README's table)."""
    return [(n, int(wait_after(n).total_seconds()))
            for n in range(current_app.config["LOGIN_THROTTLE_AFTER"], limit)]


# --- names that match no account -------------------------------------------------------

def name_key(kind: str, name: str) -> str:
    """The key of a name typed at a kind's sign-in: its keyed hash, never the name."""
    return crypto.index_hash(f"{kind}:{crypto.normalized_name(name)}")


def _keep() -> timedelta:
    return timedelta(days=current_app.config["LOGIN_THROTTLE_KEEP_DAYS"])


def _redis():
    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    if not uri.startswith(("redis://", "rediss://")):
        return None
    client = current_app.extensions.get(REDIS_EXTENSION)
    if client is None:
        import redis
        client = current_app.extensions[REDIS_EXTENSION] = redis.Redis.from_url(uri)
    return client


def unknown_count(key: str) -> Count:
    """The count of a name that matches no account (nothing: Count())."""
    client = _redis()
    if client is not None:
        stored = client.hgetall(REDIS_PREFIX + key)
        if not stored:
            return Count()
        until = stored.get(b"until", b"").decode()
        return Count(int(stored[b"failures"]), datetime.fromisoformat(until) if until else None)
    row = db.session.execute(sa.select(LoginThrottle).where(
        LoginThrottle.key_hash == key, LoginThrottle.expires_at > now())
        .execution_options(populate_existing=True)).scalar()
    return Count() if row is None else Count(row.failures, row.throttled_until)


def unknown_failure(key: str, at: datetime | None = None) -> Count:
    """One more failure for a name that matches no account; its count and its wait
    from `at`."""
    at = at or now()
    client = _redis()
    if client is not None:
        name = REDIS_PREFIX + key
        failures = int(client.hincrby(name, "failures", 1))
        until = until_after(failures, at)
        pipe = client.pipeline()
        pipe.hset(name, "until", until.isoformat() if until else "")
        pipe.expire(name, _keep())
        pipe.execute()
        return Count(failures, until)
    with write_transaction():
        failures = _count_in_table(key, at)
        until = until_after(failures, at)
        db.session.execute(sa.update(LoginThrottle).where(LoginThrottle.key_hash == key)
                           .values(throttled_until=until))
        db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.expires_at <= at))
    return Count(failures, until)


def _count_in_table(key: str, at: datetime) -> int:
    """Insert or add one (an expired row starts again at one); the new count."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = LoginThrottle.__table__
    stmt = insert(table).values(key_hash=key, failures=1, expires_at=at + _keep())
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=[table.c.key_hash],
        set_={"failures": sa.case((table.c.expires_at <= at, 1),
                                  else_=table.c.failures + 1),
              "expires_at": at + _keep()}))
    return db.session.execute(sa.select(LoginThrottle.failures).where(
        LoginThrottle.key_hash == key)).scalar_one()
