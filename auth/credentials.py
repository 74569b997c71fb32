"""The one sign-in check, for staff and patients alike.

    attempt = authenticate(find(name), password, kind="patient",
                           name_key=throttle.name_key("patient", name))
    attempt.result, attempt.user, attempt.wait

`user` is the row the caller found (or None); its model has `id`, `kind`,
`password_hash`, `failed_logins` and `throttled_until`.  Each kind registers its hard
limit and the owner's notice once (`register`).

Throttling (auth/throttle.py): after a few failures in a row each try waits a growing
time; a try during the wait is THROTTLED: refused without looking at the password, and
not counted.  A name that matches no account is counted and throttled the same way (by
its keyed hash), and costs one argon2 verification like a wrong password, so the
answers cannot tell the two apart.  At the kind's hard limit the account is LOCKED (the
password stops working) until its password is set again; a name without an account
reads LOCKED at the same count.  The failure that starts the waits queues ONE notice to
the owner (the kind's `on_throttle`, inside the same transaction).  A right password
clears the count and, when the stored hash was made cheaper than the configured cost,
stores a new one.

With a second factor (staff), a right password alone does not clear the count: a wrong
code is a failure like a wrong password (`count_failure`, the ONE place a failure is
counted), and only the whole sign-in clears it (`clear_failures`).  Otherwise someone
holding the password could try codes for ever, typing the password between tries."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from database import write_transaction
from extensions import db
from seclog import (ACCOUNT_LOCKED, SIGN_IN_FAILED, SIGN_IN_LOCKED, SIGN_IN_THROTTLED,
                    THROTTLE_STARTED, actor_ids, security_event)

from . import throttle
from .hashing import dummy_verify, hash_secret, needs_rehash, verify_secret

OK, WRONG, LOCKED, THROTTLED = "ok", "wrong", "locked", "throttled"


@dataclass(frozen=True)
class Policy:
    max_config: str                               # the setting of the hard limit
    on_throttle: Callable[[object], None] | None  # queues the owner's notice


POLICIES: dict[str, Policy] = {}


def register(kind: str, *, max_config: str, on_throttle=None) -> None:
    """A kind of account's hard limit (a setting's name) and its owner's notice,
    `on_throttle(user)`, called inside the write transaction that counts the failure."""
    POLICIES[kind] = Policy(max_config, on_throttle)


def max_failures(kind: str) -> int:
    return current_app.config[POLICIES[kind].max_config]


@dataclass(frozen=True)
class Attempt:
    """What a sign-in gave: OK (and the user), WRONG, THROTTLED or LOCKED; `wait`: how
    long before the next try is looked at (None: no wait)."""
    result: str
    user: object | None = None
    wait: timedelta | None = None


def count_of(user) -> throttle.Count:
    """The account's failures and wait, as stored now (any server's)."""
    model = type(user)
    row = db.session.execute(sa.select(model.failed_logins, model.throttled_until)
                             .where(model.id == user.id)).one()
    return throttle.Count(row.failed_logins, row.throttled_until)


def refusal(user, at: datetime | None = None) -> tuple[str | None, timedelta | None]:
    """(THROTTLED, what is left of the wait), (LOCKED, None), or (None, None) when a
    try may be looked at now."""
    at = at or throttle.now()
    count = count_of(user)
    wait = count.waiting(at)
    if wait is not None:
        return THROTTLED, wait
    if count.failures >= max_failures(user.kind):
        return LOCKED, None
    return None, None


def count_failure(user, at: datetime | None = None) -> throttle.Count:
    """One more failure in a row for `user` (a wrong password, a wrong or used code),
    the wait it imposes from `at`, and, when it starts the waits, the owner's notice."""
    at = at or throttle.now()
    model = type(user)
    with write_transaction():
        db.session.execute(sa.update(model).where(model.id == user.id)
                           .values(failed_logins=model.failed_logins + 1))
        failures = db.session.execute(sa.select(model.failed_logins)
                                      .where(model.id == user.id)).scalar_one()
        until = throttle.until_after(failures, at)
        db.session.execute(sa.update(model).where(model.id == user.id)
                           .values(throttled_until=until))
        policy = POLICIES.get(user.kind)
        if throttle.starts_now(failures) and policy and policy.on_throttle:
            policy.on_throttle(user)
    if throttle.starts_now(failures):
        security_event(THROTTLE_STARTED, **actor_ids(user))
    if failures == max_failures(user.kind):
        security_event(ACCOUNT_LOCKED, reason="wrong", **actor_ids(user))
    return throttle.Count(failures, until)


def clear_failures(user) -> None:
    """The whole sign-in succeeded: the count starts again (no write when it is 0)."""
    if not user.failed_logins and user.throttled_until is None:
        return
    model = type(user)
    with write_transaction():
        db.session.execute(sa.update(model).where(model.id == user.id)
                           .values(failed_logins=0, throttled_until=None))


def authenticate(user, password: str, *, kind: str, name_key: str,
                 may_sign_in: Callable[[object], bool] = lambda user: True,
                 second_factor: bool = False) -> Attempt:
    """The sign-in of `kind` with the name whose key is `name_key` (throttle.name_key)
    and which found `user` (or None).  WRONG for an unknown name, a wrong password or a
    user `may_sign_in` refuses (after a right password): one answer for all three.
    `second_factor`: the count is left for the code step to clear."""
    at = throttle.now()
    count = count_of(user) if user is not None else throttle.unknown_count(name_key)
    ids = actor_ids(user) if user is not None else {"kind": kind, "reason": "unknown"}
    wait = count.waiting(at)
    if wait is not None:
        security_event(SIGN_IN_THROTTLED, **ids)
        return Attempt(THROTTLED, wait=wait)
    if count.failures >= max_failures(kind):
        security_event(SIGN_IN_LOCKED, **ids)
        return Attempt(LOCKED)
    if user is None:
        dummy_verify(password)
        count = throttle.unknown_failure(name_key, at)
        security_event(SIGN_IN_FAILED, **ids)
        return Attempt(WRONG, wait=count.waiting(at))
    if not verify_secret(user.password_hash, password):
        count = count_failure(user, at)   # logs ACCOUNT_LOCKED for the one that locks
        if count.failures != max_failures(kind):
            security_event(SIGN_IN_FAILED, reason="wrong", **ids)
        return Attempt(WRONG, wait=count.waiting(at))
    _rehash(user, password)
    if not second_factor:
        clear_failures(user)
    if not may_sign_in(user):
        security_event(SIGN_IN_FAILED, reason="refused", **ids)
        return Attempt(WRONG, wait=count.waiting(at))
    return Attempt(OK, user)


def refusal_message(attempt: Attempt, locked: str, wrong: str) -> str:
    """What the sign-in page says of a refused attempt: `locked` at the hard limit; a
    wait, to the second or minute; `wrong` otherwise.  The same words for an account
    and for a name without one at the same count."""
    if attempt.result == LOCKED:
        return locked
    if attempt.result == THROTTLED:
        return _("After too many failed sign-ins, each new try has to wait. Wait "
                 "%(wait)s, then try again.", wait=throttle.wait_text(attempt.wait))
    if attempt.wait is not None:
        return wrong + " " + _("After too many failed sign-ins, each new try has to "
                               "wait: wait %(wait)s before you try again.",
                               wait=throttle.wait_text(attempt.wait))
    return wrong


def _rehash(user, password: str) -> None:
    """A hash cheaper than the configured cost is replaced (only if nobody changed it
    meanwhile).  No write when nothing changes."""
    old_hash = user.password_hash
    if not needs_rehash(old_hash):
        return
    model = type(user)
    with write_transaction():
        db.session.execute(sa.update(model).where(
            model.id == user.id, model.password_hash == old_hash)
            .values(password_hash=hash_secret(password)))
