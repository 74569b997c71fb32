"""Patient accounts after submission: load, authenticate (auth.credentials: the
per-account failure counter that holds across servers), and change the password or
security questions.

A patient whose request was rejected has no account any more (the dashboard's
rejection deletes it), so sign-in treats them as it treats an unknown username."""
import sqlalchemy as sa
from flask import current_app

from auth import credentials, sessions, throttle
from auth.hashing import hash_secret, verify_secret
from database import write_transaction
from enrollment import policy
from enrollment.models import EnrollmentRequest, PatientAccount, SecurityAnswer
from extensions import db

OK, WRONG, LOCKED, THROTTLED = (credentials.OK, credentials.WRONG, credentials.LOCKED,
                                credentials.THROTTLED)
KIND = "patient"


def load_patient(account_id: int) -> PatientAccount | None:
    return db.session.get(PatientAccount, account_id, populate_existing=True)


def find(username: str) -> PatientAccount | None:
    name = policy.normalise_username(username or "")
    if not name:
        return None
    return db.session.execute(
        sa.select(PatientAccount).where(PatientAccount.username == name)).scalar()


def request_of(account: PatientAccount) -> EnrollmentRequest | None:
    return db.session.execute(
        sa.select(EnrollmentRequest).where(EnrollmentRequest.account_id == account.id)
        .order_by(EnrollmentRequest.id.desc()).limit(1)
        .execution_options(populate_existing=True)).scalar()


def authenticate(username: str, password: str) -> credentials.Attempt:
    """OK and the account; WRONG (unknown, rejected or a wrong password: one answer);
    THROTTLED during a wait; LOCKED at PATIENT_MAX_FAILED_LOGINS failures in a row.
    An unknown username is counted and throttled like an account (auth/throttle.py)."""
    return credentials.authenticate(find(username), password, kind=KIND,
                                    name_key=throttle.name_key(KIND, username or ""))


class AccountContext:
    """What the policy checks need to know about a signed-in patient: the same
    attributes as the wizard's WizardContext, so its forms serve here too."""

    def __init__(self, account: PatientAccount, req: EnrollmentRequest | None):
        cfg = current_app.config
        self.account = account
        self.limits = policy.Limits(cfg["USERNAME_MIN_LENGTH"], cfg["USERNAME_MAX_LENGTH"],
                                    cfg["PASSWORD_MIN_LENGTH"], cfg["PASSWORD_MAX_LENGTH"])
        self.min_age = cfg["MIN_PATIENT_AGE"]
        self.practice = account.practice
        self.practice_name = self.practice.name if self.practice else ""
        self.name_parts = ((req.first_name, req.middle_name, req.last_name)
                           if req is not None else ())
        self.saved_username = account.username
        self.has_password = True
        self.questions = [a.question for a in account.answers]
        self.answer_hashes = [a.answer_hash for a in account.answers]

    def is_security_answer(self, password: str) -> bool:
        typed = policy.normalise_answer(password)
        return any(verify_secret(h, typed) for h in self.answer_hashes)

    def is_password(self, answer: str) -> bool:
        return verify_secret(self.account.password_hash, answer)

    def can_keep_answer(self, index: int, question: str) -> bool:
        return index < len(self.questions) and self.questions[index] == question

    def password_problems(self, password: str) -> list:
        """The enrollment's policy, as (code, params) problems."""
        problems = policy.check_password(password, self.limits, self.saved_username,
                                         self.name_parts, self.practice_name)
        if not problems and self.is_security_answer(password):
            problems.append(("password_answer", {}))
        return problems


def set_password(account: PatientAccount, password: str, keep_token: str | None = None) -> int:
    """A new password: the failure counters start again, and every session of the
    account ends except `keep_token`'s (the one that changed it).  Returns how many
    sessions ended."""
    new_hash = hash_secret(password)
    with write_transaction():
        db.session.execute(sa.update(PatientAccount).where(
            PatientAccount.id == account.id).values(
            password_hash=new_hash, failed_logins=0, throttled_until=None,
            recovery_failures=0, recovery_locked_until=None))
    return sessions.end_all(account.kind, account.id, except_token=keep_token)


def set_questions(account: PatientAccount, questions: list, answer_hashes: list) -> None:
    with write_transaction():
        db.session.execute(sa.delete(SecurityAnswer).where(
            SecurityAnswer.account_id == account.id))
        db.session.add_all([SecurityAnswer(account_id=account.id, position=i, question=q,
                                           answer_hash=h)
                            for i, (q, h) in enumerate(zip(questions, answer_hashes))])
    db.session.expire(account, ["answers"])
