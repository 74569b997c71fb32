"""Staff accounts: load (the user loader's), find, create, sign-in check, disable
(which ends their sessions), and the practice's list."""
import sqlalchemy as sa
from flask import current_app

from auth import credentials, sessions, throttle
from auth.clock import utcnow
from auth.hashing import hash_secret
from database import write_transaction
from enrollment.models import Practice
from enrollment.policy import Limits, check_password
from extensions import db
from outbox import clean_address

from ..core import staff_address_key
from .models import ADMIN, STAFF, StaffUser

OK, WRONG, LOCKED, THROTTLED = (credentials.OK, credentials.WRONG, credentials.LOCKED,
                                credentials.THROTTLED)
KIND = "staff"


class StaffError(ValueError):
    pass


def load_staff(staff_id: int) -> StaffUser | None:
    user = db.session.get(StaffUser, staff_id, populate_existing=True)
    return user if user is not None and user.active else None


def find(email: str) -> StaffUser | None:
    """By address as typed: NFKC and lower case (staff_address_key)."""
    return db.session.execute(sa.select(StaffUser).where(
        StaffUser.email == staff_address_key(email))).scalar()


def new_address(email: str) -> str:
    """A new staff member's address: normalised, one plain address, ASCII only (no two
    staff addresses can look alike); '' when it is not one."""
    address = clean_address(staff_address_key(email))
    return address if address.isascii() else ""


def staff_of(practice_id: int, staff_id: int) -> StaffUser | None:
    """One staff member of this practice, or None (another practice's is not found)."""
    return db.session.execute(sa.select(StaffUser).where(
        StaffUser.id == staff_id, StaffUser.practice_id == practice_id)).scalar()


def staff_list(practice_id: int) -> list[StaffUser]:
    return list(db.session.execute(sa.select(StaffUser).where(
        StaffUser.practice_id == practice_id).order_by(StaffUser.email)).scalars())


def practice_by_slug(slug: str) -> Practice | None:
    return db.session.execute(sa.select(Practice).where(Practice.slug == slug)).scalar()


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
    address = new_address(email)
    if not address:
        raise StaffError(f"not a plain (ASCII) email address: {email!r}")
    practice = practice_by_slug(practice_slug)
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


def _may_sign_in(user: StaffUser) -> bool:
    return user.active and user.practice.active


def authenticate(email: str, password: str) -> credentials.Attempt:
    """OK and the user; WRONG (unknown, disabled, a wrong password: one answer);
    THROTTLED during a wait; LOCKED at STAFF_MAX_FAILED_LOGINS failures in a row (an
    unknown address is counted alike: auth/throttle.py).  OK is the first step only:
    the count of failures is cleared after the second (admin/staff/mfa.py)."""
    return credentials.authenticate(
        find(email), password, kind=KIND, name_key=throttle.name_key(KIND, email or ""),
        may_sign_in=_may_sign_in, second_factor=True)


def disable(email: str) -> StaffUser | None:
    user = find(email)
    if user is None:
        return None
    with write_transaction():
        db.session.execute(sa.update(StaffUser).where(StaffUser.id == user.id)
                           .values(active=False, disabled_at=utcnow()))
    sessions.end_all("staff", user.id)
    return user
