"""Staff accounts: create, authenticate, disable (which ends their sessions)."""
import sqlalchemy as sa
from flask import current_app

from auth import sessions
from auth.hashing import hash_secret, verify_secret
from database import write_transaction
from enrollment.models import Practice, utcnow
from enrollment.policy import Limits, check_password
from extensions import db
from outbox import clean_address

from .models import ADMIN, STAFF, StaffUser

# Verified when the email is unknown, so a wrong address costs as long as a wrong password.
_DUMMY = {}


class StaffError(ValueError):
    pass


def load_staff(staff_id: int) -> StaffUser | None:
    user = db.session.get(StaffUser, staff_id, populate_existing=True)
    return user if user is not None and user.active else None


def find(email: str) -> StaffUser | None:
    return db.session.execute(sa.select(StaffUser).where(
        StaffUser.email == (email or "").strip().lower())).scalar()


def password_problems(password: str, email: str, practice: Practice) -> list:
    """The patients' policy: length, not a common password, none of the parts (3+
    letters) of the address's local part, not the practice's name."""
    cfg = current_app.config
    limits = Limits(password_min=cfg["PASSWORD_MIN_LENGTH"],
                    password_max=cfg["PASSWORD_MAX_LENGTH"])
    local = email.split("@", 1)[0]
    return [code for code, _ in check_password(password, limits, names=(local,),
                                                practice_name=practice.name)]


def create(email: str, practice_slug: str, password: str, admin: bool = False) -> StaffUser:
    address = clean_address((email or "").strip().lower())
    if not address:
        raise StaffError(f"not an email address: {email!r}")
    practice = db.session.execute(
        sa.select(Practice).where(Practice.slug == practice_slug)).scalar()
    if practice is None:
        raise StaffError(f"no practice {practice_slug!r}")
    if find(address) is not None:
        raise StaffError(f"{address} already exists")
    problems = password_problems(password, address, practice)
    if problems:
        raise StaffError("password refused: " + ", ".join(problems))
    with write_transaction():
        user = StaffUser(practice_id=practice.id, email=address, role=ADMIN if admin else STAFF,
                         password_hash=hash_secret(password), active=True)
        db.session.add(user)
    return user


OK, WRONG, LOCKED = "ok", "wrong", "locked"


def _dummy_verify(password: str) -> None:
    if "hash" not in _DUMMY:
        _DUMMY["hash"] = hash_secret("not a real password, only for timing")
    verify_secret(_DUMMY["hash"], password)


def authenticate(email: str, password: str) -> tuple[str, StaffUser | None]:
    """OK and the user; WRONG (unknown, disabled, a wrong password: one answer); LOCKED
    after STAFF_MAX_FAILED_LOGINS failures in a row, counted in the database."""
    user = find(email)
    if user is None:
        _dummy_verify(password)
        return WRONG, None
    if user.failed_logins >= current_app.config["STAFF_MAX_FAILED_LOGINS"]:
        _dummy_verify(password)
        return LOCKED, None
    if not verify_secret(user.password_hash, password):
        with write_transaction():
            db.session.execute(sa.update(StaffUser).where(StaffUser.id == user.id)
                               .values(failed_logins=StaffUser.failed_logins + 1))
        return WRONG, None
    if user.failed_logins:
        with write_transaction():
            db.session.execute(sa.update(StaffUser).where(StaffUser.id == user.id)
                               .values(failed_logins=0))
    if not user.active or not user.practice.active:
        return WRONG, None
    return OK, user


def disable(email: str) -> StaffUser | None:
    user = find(email)
    if user is None:
        return None
    with write_transaction():
        db.session.execute(sa.update(StaffUser).where(StaffUser.id == user.id)
                           .values(active=False, disabled_at=utcnow()))
    sessions.end_all("staff", user.id)
    return user
