"""Staff onboarding by email: invitations (72 h) and password resets (1 h).

Each link carries a random token; `staff_token` holds only its SHA-256.  Opening a link
shows a page with a form (changes nothing); only its POST uses the token, once.  The
emails hold the practice's details and the link, nothing else.
"""
from datetime import timedelta

import sqlalchemy as sa

import audit
import crypto
from auth import sessions, throttle, tokens
from auth.clock import utcnow
from auth.hashing import hash_secret
from database import write_transaction
from enrollment.emails import display_phone, external_url
from extensions import db
from outbox import enqueue, enqueue_job
from seclog import PASSWORD_RESET, actor_ids, security_event

from .accounts import StaffError, find, new_address, password_problems
from .models import ADMIN, STAFF, StaffToken, StaffUser

INVITE, RESET = "invite", "reset"
FORGOT = "staff_forgot_password"   # the job of "forgot your password?"
TTL = {INVITE: timedelta(hours=72), RESET: timedelta(hours=1)}
ENDPOINT = {INVITE: "admin.invitation", RESET: "admin.reset_password"}
VALID, USED, EXPIRED, UNKNOWN = tokens.VALID, tokens.USED, tokens.EXPIRED, tokens.UNKNOWN
DONE, WEAK = "done", "weak"
# A password nobody can type: the account has none until the link is used.
NO_PASSWORD = "!"


def _issue(user: StaffUser, purpose: str) -> str:
    """Inside the caller's transaction: a new link, replacing unused ones of its kind."""
    now = utcnow()
    token, token_hash = tokens.new()
    db.session.execute(sa.delete(StaffToken).where(
        StaffToken.staff_id == user.id, StaffToken.purpose == purpose,
        StaffToken.used_at.is_(None)))
    db.session.add(StaffToken(staff_id=user.id, purpose=purpose, token_hash=token_hash,
                              created_at=now, expires_at=now + TTL[purpose]))
    return token


def _email(name: str, user: StaffUser, **context) -> None:
    practice = user.practice
    enqueue(name, to=user.email, from_name=practice.name, reply_to=practice.reply_to,
            context={"practice": {"name": practice.name, "reply_to": practice.reply_to,
                                  "phone": display_phone(practice.phone)},
                     "email": user.email, **context})


def _send_link(name: str, user: StaffUser, purpose: str) -> None:
    link = external_url(ENDPOINT[purpose], token=_issue(user, purpose))
    _email(name, user, link=link, hours=int(TTL[purpose].total_seconds() // 3600))


def invite(admin: StaffUser, email: str, role: str) -> StaffUser:
    """A new, inactive staff member of the admin's practice and the invitation email."""
    address = new_address(email)
    if not address:
        raise StaffError("address")
    if find(address) is not None:
        raise StaffError("exists")
    with write_transaction():
        user = StaffUser(practice_id=admin.practice_id, email=address,
                         role=ADMIN if role == ADMIN else STAFF,
                         password_hash=NO_PASSWORD, active=False)
        db.session.add(user)
        db.session.flush()
        _send_link("staff_invite", user, INVITE)
        audit.record(admin, audit.STAFF_INVITED, None, f"staff:{user.id}")
    return user


def invited(user: StaffUser) -> bool:
    """Invited and not yet joined (never disabled)."""
    return not user.active and user.disabled_at is None


def resend_invitation(admin: StaffUser, user: StaffUser) -> None:
    """A new invitation link (72 h again) replaces the unused one, and is emailed: the
    way out for an invitation that expired or went astray."""
    with write_transaction():
        _send_link("staff_invite", user, INVITE)
        audit.record(admin, audit.INVITATION_RESENT, None, f"staff:{user.id}")


def disable(admin: StaffUser, user: StaffUser) -> None:
    """Disabled at once: every session ends, every unused link dies."""
    with write_transaction():
        db.session.execute(sa.update(StaffUser).where(StaffUser.id == user.id)
                           .values(active=False, disabled_at=utcnow()))
        db.session.execute(sa.delete(StaffToken).where(
            StaffToken.staff_id == user.id, StaffToken.used_at.is_(None)))
        audit.record(admin, audit.STAFF_DISABLED, None, f"staff:{user.id}")
    sessions.end_all("staff", user.id)


def reset_access(admin: StaffUser, user: StaffUser) -> None:
    """The old password stops working, sessions end, a reset link is emailed."""
    with write_transaction():
        db.session.execute(sa.update(StaffUser).where(StaffUser.id == user.id)
                           .values(password_hash=NO_PASSWORD))
        _send_link("staff_reset", user, RESET)
        audit.record(admin, audit.STAFF_ACCESS_RESET, None, f"staff:{user.id}")
    sessions.end_all("staff", user.id)


def forgot(email: str) -> None:
    """'Forgot your password?': ONE job queued whatever it will find, holding the keyed
    hash of the address typed (never the text); the caller answers the same either
    way, and this request does the same work either way."""
    with write_transaction():
        enqueue_job(FORGOT, crypto.name_hash(email) or "")


def send_forgotten_link(key: str) -> None:
    """The job: a reset link to an active staff member of an active practice whose
    address has the keyed hash `key` (staff addresses count as confirmed); else
    nothing.  The link still ends at the code step: email alone never skips it."""
    user = db.session.execute(sa.select(StaffUser).where(StaffUser.email_hash == key)
                              ).scalar() if key else None
    if user is None or not user.active or not user.practice.active:
        return
    _send_link("staff_reset", user, RESET)


def queue_throttle_notice(user: StaffUser) -> None:
    """'Many failed sign-ins on your account': once, when the waits start
    (auth.credentials), inside its transaction."""
    _email("staff_throttled", user, forgot_url=external_url("admin.forgot"),
           login_url=external_url("admin.login"), longest=throttle.longest_wait_text())


def lookup(token: str, purpose: str) -> tuple[str, StaffToken | None]:
    """What a link is (VALID, USED, EXPIRED, UNKNOWN) and its row, changing nothing."""
    state, row = tokens.lookup(StaffToken, token, StaffToken.purpose == purpose)
    if row is None or (purpose == INVITE and row.staff.disabled_at is not None):
        return UNKNOWN, None
    if purpose == RESET and not row.staff.active:
        return UNKNOWN, None
    return state, row


def use(token: str, purpose: str, password: str) -> tuple[str, StaffUser | list | None]:
    """Set the password with the link: (DONE, user) once; (WEAK, problems) when the
    password breaks the policy (the link stays valid); USED/EXPIRED/UNKNOWN otherwise."""
    state, row = lookup(token, purpose)
    if state != VALID:
        return state, None
    user = row.staff
    problems = password_problems(password or "", user.email, user.practice)
    if problems:
        return WEAK, problems
    new_hash = hash_secret(password)
    with write_transaction():
        now = utcnow()
        taken = db.session.execute(
            sa.update(StaffToken).where(StaffToken.id == row.id, StaffToken.used_at.is_(None),
                                        StaffToken.expires_at > now)
            .values(used_at=now).execution_options(synchronize_session=False))
        if taken.rowcount != 1:   # a concurrent post won
            return USED, None
        values = {"password_hash": new_hash, "failed_logins": 0,   # the lock opens
                  "throttled_until": None}
        if purpose == INVITE:
            values["active"] = True
        db.session.execute(sa.update(StaffUser).where(StaffUser.id == user.id)
                           .values(**values).execution_options(synchronize_session=False))
        audit.record(user, audit.JOINED if purpose == INVITE else audit.PASSWORD_RESET,
                     None, f"staff:{user.id}")
        if purpose == RESET:
            _email("staff_password_changed", user)
    if purpose == RESET:
        sessions.end_all("staff", user.id)
        security_event(PASSWORD_RESET, **actor_ids(user))
    return DONE, db.session.get(StaffUser, user.id, populate_existing=True)
