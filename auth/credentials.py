"""The one sign-in check, for staff and patients alike.

    result, user = authenticate(find(name), password, max_failures=cfg["..."])

`user` is the row the caller found (or None); its model has `id`, `password_hash` and
`failed_logins`.  An unknown user costs one argon2 verification, like a wrong password.
Failures in a row are counted in the database, so the count holds across app servers;
at `max_failures` the account is LOCKED until its password is set again (the caller's
reset sets `failed_logins` to 0).  A right password clears the count and, when the
stored hash was made cheaper than the configured cost, stores a new one."""
from typing import Callable

import sqlalchemy as sa

from database import write_transaction
from extensions import db
from seclog import (ACCOUNT_LOCKED, SIGN_IN_FAILED, SIGN_IN_LOCKED, actor_ids,
                    security_event)

from .hashing import dummy_verify, hash_secret, needs_rehash, verify_secret

OK, WRONG, LOCKED = "ok", "wrong", "locked"


def authenticate(user, password: str, *, max_failures: int,
                 may_sign_in: Callable[[object], bool] = lambda user: True) -> tuple:
    """(OK, user); (WRONG, None) for an unknown user, a wrong password, or a user
    `may_sign_in` refuses (after a right password: one answer for all three);
    (LOCKED, None) once `max_failures` failures came in a row."""
    if user is None:
        dummy_verify(password)
        security_event(SIGN_IN_FAILED, reason="unknown")
        return WRONG, None
    if user.failed_logins >= max_failures:
        dummy_verify(password)
        security_event(SIGN_IN_LOCKED, **actor_ids(user))
        return LOCKED, None
    model = type(user)
    if not verify_secret(user.password_hash, password):
        locks = user.failed_logins + 1 >= max_failures
        with write_transaction():
            db.session.execute(sa.update(model).where(model.id == user.id)
                               .values(failed_logins=model.failed_logins + 1))
        security_event(ACCOUNT_LOCKED if locks else SIGN_IN_FAILED, reason="wrong",
                       **actor_ids(user))
        return WRONG, None
    _after_success(user, password)
    if not may_sign_in(user):
        security_event(SIGN_IN_FAILED, reason="refused", **actor_ids(user))
        return WRONG, None
    return OK, user


def _after_success(user, password: str) -> None:
    """The count starts again; a hash cheaper than the configured cost is replaced
    (only if nobody changed it meanwhile).  One write, and none when nothing changes."""
    model = type(user)
    old_hash = user.password_hash
    new_hash = hash_secret(password) if needs_rehash(old_hash) else None
    if not user.failed_logins and new_hash is None:
        return
    with write_transaction():
        if user.failed_logins:
            db.session.execute(sa.update(model).where(model.id == user.id)
                               .values(failed_logins=0))
        if new_hash is not None:
            db.session.execute(sa.update(model).where(
                model.id == user.id, model.password_hash == old_hash)
                .values(password_hash=new_hash))
