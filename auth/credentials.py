"""The one sign-in check, for staff and patients alike.

    result, user = authenticate(find(name), password, max_failures=cfg["..."])

`user` is the row the caller found (or None); its model has `id`, `password_hash` and
`failed_logins`.  An unknown user costs one argon2 verification, like a wrong password.
Failures in a row are counted in the database, so the count holds across app servers;
at `max_failures` the account is LOCKED until its password is set again (the caller's
reset sets `failed_logins` to 0).  A right password clears the count and, when the
stored hash was made cheaper than the configured cost, stores a new one.

With a second factor (staff), a right password alone does not clear the count: a wrong
code is a failure like a wrong password (`count_failure`, the ONE place a failure is
counted), and only the whole sign-in clears it (`clear_failures`).  Otherwise someone
holding the password could try codes for ever, typing the password between tries."""
from typing import Callable

import sqlalchemy as sa

from database import write_transaction
from extensions import db
from seclog import (ACCOUNT_LOCKED, SIGN_IN_FAILED, SIGN_IN_LOCKED, actor_ids,
                    security_event)

from .hashing import dummy_verify, hash_secret, needs_rehash, verify_secret

OK, WRONG, LOCKED = "ok", "wrong", "locked"


def locked(user, max_failures: int) -> bool:
    """At `max_failures` failures in a row (passwords and codes alike)."""
    return user.failed_logins >= max_failures


def count_failure(user) -> None:
    """One more failure in a row for `user` (a wrong password, a wrong or used code)."""
    model = type(user)
    with write_transaction():
        db.session.execute(sa.update(model).where(model.id == user.id)
                           .values(failed_logins=model.failed_logins + 1))


def clear_failures(user) -> None:
    """The whole sign-in succeeded: the count starts again (no write when it is 0)."""
    if not user.failed_logins:
        return
    model = type(user)
    with write_transaction():
        db.session.execute(sa.update(model).where(model.id == user.id)
                           .values(failed_logins=0))


def authenticate(user, password: str, *, max_failures: int,
                 may_sign_in: Callable[[object], bool] = lambda user: True,
                 second_factor: bool = False) -> tuple:
    """(OK, user); (WRONG, None) for an unknown user, a wrong password, or a user
    `may_sign_in` refuses (after a right password: one answer for all three);
    (LOCKED, None) once `max_failures` failures came in a row.  `second_factor`: the
    count is left for the code step to clear (see the module's docstring)."""
    if user is None:
        dummy_verify(password)
        security_event(SIGN_IN_FAILED, reason="unknown")
        return WRONG, None
    if locked(user, max_failures):
        dummy_verify(password)
        security_event(SIGN_IN_LOCKED, **actor_ids(user))
        return LOCKED, None
    if not verify_secret(user.password_hash, password):
        locks = user.failed_logins + 1 >= max_failures
        count_failure(user)
        security_event(ACCOUNT_LOCKED if locks else SIGN_IN_FAILED, reason="wrong",
                       **actor_ids(user))
        return WRONG, None
    _rehash(user, password)
    if not second_factor:
        clear_failures(user)
    if not may_sign_in(user):
        security_event(SIGN_IN_FAILED, reason="refused", **actor_ids(user))
        return WRONG, None
    return OK, user


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
