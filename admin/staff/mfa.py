"""The staff's second factor: a TOTP app (RFC 6238) and ten single-use recovery codes.

    password right  -> start(user): half signed in (auth.login's pending marker), then
    enrolled        -> check_code / use_recovery_code -> auth.login.sign_in
    not enrolled    -> enrollment_secret (a new key, kept encrypted in the marker
                       until proven) -> confirm_enrollment -> the recovery codes are
                       shown once -> sign_in

Nothing signs a staff member in without a code: not a password reset by email, not an
invitation (both end in start()).  Only reset() (an admin's button, the CLI) removes a
second factor, and it ends every session of the account.  Wrong and reused codes count
as failed sign-ins through auth.credentials (the same counter, waits and lock as
passwords): a code typed during a wait is refused without being looked at."""
import json

import segno
import sqlalchemy as sa
from flask import session
from markupsafe import Markup, escape

import audit
import crypto
from auth import credentials, otp, sessions
from auth.clock import utcnow
from auth.login import (PENDING_KEY, begin_pending, end_pending, password_mark, pending,
                        update_pending)
from database import write_transaction
from extensions import db
from seclog import (MFA_ENROLLED, MFA_FAILED, MFA_RECOVERY_CODE_USED, MFA_RESET, actor_ids,
                    security_event)

from .models import StaffRecoveryCode, StaffUser

OK, WRONG, USED, TAKEN = "ok", "wrong", "used", "taken"
LOCKED, THROTTLED = credentials.LOCKED, credentials.THROTTLED
KIND = "staff"
QR_SCALE = 4           # pixels per module: about 230 px square, easy for a phone


# --- the half sign-in -----------------------------------------------------------------

def start(user: StaffUser) -> str:
    """The password was right: half signed in.  The endpoint of the next step."""
    begin_pending(user)
    return "admin.mfa_code" if user.mfa_enrolled else "admin.mfa_enroll"


def had_pending() -> bool:
    """A half sign-in was in this cookie session (perhaps expired since)."""
    marker = session.get(PENDING_KEY)
    return isinstance(marker, dict) and marker.get("kind") == KIND


def pending_user() -> StaffUser | None:
    """The staff member half signed in, or None: no marker, expired, or the account
    changed since (disabled, practice closed, another password): the marker ends."""
    marker = pending(KIND)
    if marker is None:
        return None
    user = db.session.get(StaffUser, marker.get("id"), populate_existing=True)
    if (user is None or not user.active or not user.practice.active
            or marker.get("pw") != password_mark(user)):
        end_pending()
        return None
    return user


def refused(user: StaffUser) -> str | None:
    """THROTTLED (a wait is running: the code is not looked at), LOCKED, or None."""
    return credentials.refusal(user)[0]


# --- enrollment -----------------------------------------------------------------------

def enrollment_secret(user: StaffUser) -> str:
    """The key offered to this half sign-in: made once, kept encrypted in the marker
    (never in the database before a code proves the app has it)."""
    marker = pending(KIND) or {}
    if marker.get("secret"):
        return crypto.keys().decrypt(marker["secret"])
    secret = otp.new_secret()
    update_pending(secret=crypto.keys().encrypt(secret))
    return secret


def issuer(user: StaffUser) -> str:
    return user.practice.name


def qr_svg(secret: str, user: StaffUser, label: str) -> Markup:
    """The otpauth:// URI as an inline SVG QR code, drawn here (no service, no script),
    an image with `label` as its text alternative."""
    qr = segno.make(otp.provisioning_uri(secret, user.email, issuer(user)), error="m")
    svg = qr.svg_inline(scale=QR_SCALE, border=4, dark="#000", light="#fff",
                        omitsize=True, svgclass="qr", lineclass=None)
    # Its own size in whole pixels per module, drawn without anti-aliased seams between
    # modules (the viewBox still lets it shrink on a narrow screen).
    size = qr.symbol_size(scale=QR_SCALE, border=4)[0]
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" '
                              f'width="{size}" height="{size}" shape-rendering="crispEdges" ', 1))


def confirm_enrollment(user: StaffUser, secret: str, code: str) -> tuple[str, list]:
    """(OK, the ten recovery codes) when `code` is the app's, now; the key, the step and
    the codes' digests are stored.  (WRONG, []) counted as a failure; (LOCKED, []);
    (TAKEN, []) when the account enrolled meanwhile (another browser); (THROTTLED, [])."""
    if why := refused(user):
        return why, []
    step = otp.matching_step(secret, code)
    if step is None:
        _failed(user, "wrong")
        return WRONG, []
    codes = otp.new_recovery_codes()
    with write_transaction():
        now = utcnow()
        taken = db.session.execute(
            sa.update(StaffUser).where(StaffUser.id == user.id,
                                       StaffUser.totp_enrolled_at.is_(None))
            .values(totp_secret=secret, totp_enrolled_at=now, totp_last_step=step)
            .execution_options(synchronize_session=False))
        if taken.rowcount != 1:
            return TAKEN, []
        _replace_recovery_codes(user.id, codes, now)
    db.session.refresh(user)
    credentials.clear_failures(user)
    security_event(MFA_ENROLLED, **actor_ids(user))
    return OK, codes


def _failed(user: StaffUser, reason: str) -> None:
    """A wrong or used code: a sign-in failure (the one counter), and its log line."""
    credentials.count_failure(user)
    security_event(MFA_FAILED, reason=reason, **actor_ids(user))


def _replace_recovery_codes(staff_id: int, codes: list, now) -> None:
    db.session.execute(sa.delete(StaffRecoveryCode).where(
        StaffRecoveryCode.staff_id == staff_id))
    db.session.add_all(StaffRecoveryCode(staff_id=staff_id, created_at=now,
                                         code_hash=otp.recovery_digest(code))
                       for code in codes)


def keep_codes_to_show(user: StaffUser, codes: list) -> None:
    """After enrollment: the codes, encrypted, in the marker until "I have saved them";
    the marker is renewed (reading and saving them takes a while)."""
    update_pending(renew=True, secret=None, codes=crypto.keys().encrypt(json.dumps(codes)),
                   proven=user.totp_enrolled_at.isoformat())


def codes_to_show(user: StaffUser) -> list | None:
    """The codes of this half sign-in's enrollment (still the account's), or None."""
    marker = pending(KIND) or {}
    if not marker.get("codes") or not user.mfa_enrolled \
            or marker.get("proven") != user.totp_enrolled_at.isoformat():
        return None
    return json.loads(crypto.keys().decrypt(marker["codes"]))


# --- the code step ----------------------------------------------------------------------

def check_code(user: StaffUser, code: str) -> str:
    """OK (the step is remembered: the code cannot be used again), WRONG, USED (a code
    of the last accepted step or earlier), LOCKED, THROTTLED.  WRONG and USED are
    failures."""
    if why := refused(user):
        return why
    secret = db.session.execute(sa.select(StaffUser.totp_secret).where(
        StaffUser.id == user.id)).scalar()
    step = otp.matching_step(secret, code) if secret else None
    if step is None:
        _failed(user, "wrong")
        return WRONG
    with write_transaction():
        fresh = db.session.execute(sa.update(StaffUser).where(
            StaffUser.id == user.id, sa.or_(StaffUser.totp_last_step.is_(None),
                                            StaffUser.totp_last_step < step))
            .values(totp_last_step=step).execution_options(synchronize_session=False))
    if fresh.rowcount != 1:   # that step (or a later one) was accepted before
        _failed(user, "used")
        return USED
    credentials.clear_failures(user)
    return OK


def use_recovery_code(user: StaffUser, typed: str) -> str:
    """OK once per code (it is marked used, and the use audited); WRONG (counted);
    LOCKED; THROTTLED."""
    if why := refused(user):
        return why
    digest = otp.recovery_digest(typed)
    used = 0
    if digest is not None:
        with write_transaction():
            used = db.session.execute(sa.update(StaffRecoveryCode).where(
                StaffRecoveryCode.staff_id == user.id,
                StaffRecoveryCode.code_hash == digest, StaffRecoveryCode.used_at.is_(None))
                .values(used_at=utcnow())).rowcount
            if used == 1:
                audit.record(user, audit.RECOVERY_CODE_USED, None, f"staff:{user.id}")
    if used != 1:
        _failed(user, "wrong_recovery_code")
        return WRONG
    credentials.clear_failures(user)
    security_event(MFA_RECOVERY_CODE_USED, **actor_ids(user))
    return OK


def recovery_codes_left(user: StaffUser) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(StaffRecoveryCode)
                              .where(StaffRecoveryCode.staff_id == user.id,
                                     StaffRecoveryCode.used_at.is_(None))).scalar_one()


# --- reset ------------------------------------------------------------------------------

def reset(user: StaffUser, admin: StaffUser | None = None) -> None:
    """The second factor is gone: key, last step, recovery codes.  They enroll again at
    their next sign-in; every session of theirs ends now.  Audited as the admin's act,
    or (admin None: the CLI) on the member's own row."""
    with write_transaction():
        db.session.execute(sa.update(StaffUser).where(StaffUser.id == user.id).values(
            totp_secret=None, totp_enrolled_at=None, totp_last_step=None)
            .execution_options(synchronize_session=False))
        db.session.execute(sa.delete(StaffRecoveryCode).where(
            StaffRecoveryCode.staff_id == user.id))
        if admin is None:
            audit.record(user, audit.MFA_RESET_CLI, None, f"staff:{user.id}")
        else:
            audit.record(admin, audit.MFA_RESET, None, f"staff:{user.id}")
    db.session.refresh(user)
    sessions.end_all(KIND, user.id)
    security_event(MFA_RESET, target_staff_id=user.id,
                   **(actor_ids(admin) if admin is not None else {"kind": "cli"}))
