"""Recovery of a patient account: a link by email, two security questions, a new password.

- `ask_password_link(identifier)`: a username or an email address.  The request queues
  ONE job holding the keyed hash of what was typed, whatever matches: the
  same database work for a match and for none.  The job (account/recovery_jobs.py)
  finds every matching account whose address is confirmed (an address may hold
  several) and sends each its own link, which replaces its unused ones.
- A link: random, stored as SHA-256 only, single use, expiring after
  RECOVERY_LINK_MINUTES.  It asks two of the account's five questions, chosen when it
  is made and stored on it (a reload cannot pick others).  Opening it changes nothing;
  only `recover()` (a POST) uses it.
- Wrong answers are counted on the account (any server): at RECOVERY_TRIES the
  account's recovery is locked for RECOVERY_LOCK_MINUTES, and the lock ends by time.
- `ask_usernames(email)`: a job, as above, that sends one email listing every username
  on that (confirmed) address.

Answers, passwords and tokens are never written anywhere but as hashes (the outbox
row of the email holds the link, as every emailed link does).  The security log
(seclog) gets a line per link sent, wrong answer, lock and reset, naming the account
by its id only.
"""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

import crypto
from auth import tokens
from auth.clock import utcnow
from auth.hashing import verify_secret
from database import write_transaction
from enrollment import policy
from enrollment.models import PatientAccount
from extensions import db
from outbox import enqueue_job
from seclog import PASSWORD_RESET, RECOVERY_FAILED, RECOVERY_LOCKED, actor_ids, security_event

from . import emails
from .models import RecoveryToken
from .patients import set_password

VALID, USED, EXPIRED, UNKNOWN = tokens.VALID, tokens.USED, tokens.EXPIRED, tokens.UNKNOWN
LOCKED, WRONG, DONE = "locked", "wrong", "done"
ASKED = 2
FORGOT_PASSWORD, FORGOT_USERNAME = "patient_forgot_password", "patient_forgot_username"


def issue(account: PatientAccount) -> tuple[str, int]:
    """Inside the caller's transaction: a new link replacing the unused ones, asking two
    of the account's questions chosen at random now."""
    cfg = current_app.config
    now = utcnow()
    token, token_hash = tokens.new()
    codes = [a.question for a in account.answers]
    asked = secrets.SystemRandom().sample(codes, min(ASKED, len(codes)))
    db.session.execute(sa.delete(RecoveryToken).where(
        RecoveryToken.account_id == account.id, RecoveryToken.used_at.is_(None)))
    minutes = cfg["RECOVERY_LINK_MINUTES"]
    db.session.add(RecoveryToken(account_id=account.id, token_hash=token_hash,
                                 questions=asked, created_at=now,
                                 expires_at=now + timedelta(minutes=minutes)))
    return token, minutes


def ask_password_link(identifier: str) -> None:
    """'Forgot your password?': ONE job queued, whatever it will find, holding the keyed
    hash of what was typed (never the text).  The look-up, the link and the email are
    the job's (account/recovery_jobs.py), so this request does the same work either way."""
    with write_transaction():
        enqueue_job(FORGOT_PASSWORD, crypto.name_hash(identifier) or "")


def ask_usernames(email: str) -> None:
    """'Forgot your username?': ONE job, as above."""
    with write_transaction():
        enqueue_job(FORGOT_USERNAME, crypto.name_hash(email) or "")


def lookup(token: str) -> tuple[str, RecoveryToken | None]:
    """What a link is (VALID, USED, EXPIRED, UNKNOWN) and its row; changes nothing."""
    return tokens.lookup(RecoveryToken, token)


def locked_until(account: PatientAccount) -> datetime | None:
    """When the account's recovery lock ends, or None when it is not locked (now)."""
    fresh = db.session.execute(
        sa.select(PatientAccount.recovery_locked_until).where(
            PatientAccount.id == account.id)).scalar()
    return fresh if fresh is not None and fresh > utcnow() else None


@dataclass
class Outcome:
    state: str                     # DONE, WRONG, LOCKED, USED, EXPIRED, UNKNOWN
    tries_left: int = 0
    until: datetime | None = None


def answers_right(row: RecoveryToken, answers: list) -> bool:
    """Both asked questions answered right (normalised, against the stored hashes).
    Both are verified whatever the first gives, so each post costs the same."""
    hashes = {a.question: a.answer_hash for a in row.account.answers}
    results = [verify_secret(hashes.get(code), policy.normalise_answer(answer or ""))
               for code, answer in zip(row.questions, answers)]
    return len(results) == len(row.questions) and all(results)


def count_wrong(account: PatientAccount) -> Outcome:
    """One more wrong try, counted in the database; at RECOVERY_TRIES the lock starts
    (and the counter starts again for after it)."""
    cfg = current_app.config
    with write_transaction():
        db.session.execute(sa.update(PatientAccount).where(
            PatientAccount.id == account.id).values(
            recovery_failures=PatientAccount.recovery_failures + 1))
        failures = db.session.execute(sa.select(PatientAccount.recovery_failures).where(
            PatientAccount.id == account.id)).scalar_one()
        if failures < cfg["RECOVERY_TRIES"]:
            outcome = Outcome(WRONG, tries_left=cfg["RECOVERY_TRIES"] - failures)
        else:
            outcome = Outcome(LOCKED, until=utcnow() + timedelta(
                minutes=cfg["RECOVERY_LOCK_MINUTES"]))
            db.session.execute(sa.update(PatientAccount).where(
                PatientAccount.id == account.id).values(
                recovery_failures=0, recovery_locked_until=outcome.until))
    security_event(RECOVERY_FAILED if outcome.state == WRONG else RECOVERY_LOCKED,
                   **actor_ids(account))
    return outcome


def _claim(row: RecoveryToken) -> Outcome | None:
    """Mark the link used, once (a concurrent post loses); None when this post won."""
    with write_transaction():
        now = utcnow()
        until = locked_until(row.account)
        if until is not None:
            return Outcome(LOCKED, until=until)
        taken = db.session.execute(
            sa.update(RecoveryToken).where(RecoveryToken.id == row.id,
                                           RecoveryToken.used_at.is_(None),
                                           RecoveryToken.expires_at > now)
            .values(used_at=now).execution_options(synchronize_session=False))
        if taken.rowcount != 1:
            return Outcome(USED)
        db.session.execute(sa.delete(RecoveryToken).where(
            RecoveryToken.account_id == row.account_id, RecoveryToken.used_at.is_(None)))
    return None


def reset(row: RecoveryToken, password: str) -> Outcome:
    """After the right answers and a password within the policy: the link is used, the
    password set (counters reset, every session ends), the notice queued."""
    lost = _claim(row)
    if lost is not None:
        return lost
    account = row.account
    set_password(account, password)
    with write_transaction():
        emails.queue_password_changed(account)
    security_event(PASSWORD_RESET, **actor_ids(account))
    return Outcome(DONE)
