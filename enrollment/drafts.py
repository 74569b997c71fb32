"""The server-side draft: create, load, save a step, erase, purge.

The browser holds a random 128-bit+ token in a cookie; the table holds its SHA-256.
A second, browser-session cookie (an HMAC of the draft id) marks the visit: a returning
browser without it must give the date of birth before it sees personal information.
"""
import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

import i18n
from auth.tokens import digest
from database import write_transaction
from extensions import db

from . import steps
from .models import Draft, EnrollmentRequest, PatientAccount, utcnow

DRAFT_COOKIE = "enroll_draft"
VISIT_COOKIE = "enroll_visit"


def ttl() -> timedelta:
    return timedelta(hours=current_app.config["DRAFT_TTL_HOURS"])


def load(token: str | None) -> Draft | None:
    if not token or len(token) > 100:
        return None
    draft = db.session.get(Draft, digest(token))
    if draft is None or draft.expires_at <= utcnow():
        return None
    return draft


def create() -> tuple[Draft, str]:
    token = secrets.token_urlsafe(24)   # 192 bits
    now = utcnow()
    draft = Draft(id=digest(token), data={}, clean={}, done=[], created_at=now,
                  updated_at=now, expires_at=now + ttl(), locale=i18n.current())
    with write_transaction():
        db.session.add(draft)
    return draft, token


def keep_language(draft: Draft) -> None:
    """The draft's language is the patient's: shown when this browser has not chosen
    (i18n.remember), and changed when the patient chooses another.  Once submitted,
    the request and its account change with it: later emails are in that language."""
    i18n.remember(draft.locale)
    here = i18n.current()
    if draft.locale == here:
        return
    with write_transaction():
        draft.locale = here
        if draft.request_id is not None:
            req = db.session.get(EnrollmentRequest, draft.request_id)
            if req is not None:
                req.locale = here
                db.session.execute(sa.update(PatientAccount).where(
                    PatientAccount.id == req.account_id).values(locale=here))


def visit_mark(draft: Draft) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"visit:" + draft.id.encode(), hashlib.sha256).hexdigest()[:40]


def visit_ok(draft: Draft, mark: str | None) -> bool:
    return bool(mark) and hmac.compare_digest(visit_mark(draft), mark)


def holds_personal(draft: Draft) -> bool:
    """A completed step that holds personal information (every step but the practice),
    or anything typed in one (Back saves what was typed without validating it), until
    the draft is submitted."""
    if draft.submitted_at is not None:
        return False
    personal = [step.name for step in steps.STEPS if step.personal]
    typed = any(str(v).strip() for name in personal
                for value_list in (draft.data.get(name) or {}).values()
                if isinstance(value_list, list) for v in value_list)
    return typed or any(draft.clean.get(name) for name in personal)


def expected_birth_date(draft: Draft) -> str | None:
    """The date of birth the resume check compares with: the saved one, else the typed
    one (a draft with neither cannot be resumed, only started over)."""
    return next((found for step in steps.STEPS
                 if (found := step.birth_date(draft.clean.get(step.name) or {},
                                              draft.data.get(step.name) or {}))), None)


def touch(draft: Draft) -> None:
    draft.updated_at = utcnow()
    draft.expires_at = draft.updated_at + ttl()


def erase(draft: Draft) -> None:
    with write_transaction():
        db.session.execute(sa.delete(Draft).where(Draft.id == draft.id))


def purge_expired(now=None) -> int:
    with write_transaction():
        result = db.session.execute(sa.delete(Draft).where(Draft.expires_at <= (now or utcnow())))
    return result.rowcount or 0


def check_birth_date(draft: Draft, answer) -> str:
    """The resume check: 'ok', 'wrong' or 'erased' (after too many wrong answers)."""
    expected = expected_birth_date(draft)
    if answer is not None and expected is not None and expected == answer.isoformat():
        with write_transaction():
            draft.dob_failures = 0
        return "ok"
    if draft.dob_failures + 1 >= current_app.config["DOB_CHALLENGE_TRIES"]:
        erase(draft)
        return "erased"
    with write_transaction():
        db.session.execute(sa.update(Draft).where(Draft.id == draft.id)
                           .values(dob_failures=Draft.dob_failures + 1)
                           .execution_options(synchronize_session=False))
    draft.dob_failures += 1
    return "wrong"


def tries_left(draft: Draft) -> int:
    return current_app.config["DOB_CHALLENGE_TRIES"] - draft.dob_failures
