"""Staff members (each of one practice, with a role), their single-use links and their
recovery codes."""
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

import crypto
from auth.clock import utcnow
from crypto import EncryptedText
from enrollment.models import Practice
from extensions import db

STAFF, ADMIN = "staff", "admin"
ROLES = (STAFF, ADMIN)


class StaffUser(UserMixin, db.Model):
    """A member of one practice's staff.  `email` is stored lower-cased."""
    __tablename__ = "staff_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(sa.ForeignKey("practice.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(10), default=STAFF)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None]
    # The keyed hash of the address (crypto.name_hash): "forgot your password?" is a job
    # that finds the account by it.  Set whenever the address is.
    email_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True,
                                                   info=crypto.name_index_of("email"))
    # Consecutive failed sign-ins and codes (any server): after LOGIN_THROTTLE_AFTER each
    # try waits until `throttled_until` (auth/throttle.py); at STAFF_MAX_FAILED_LOGINS
    # the password stops working until it is set again (a reset link, an admin's reset).
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    throttled_until: Mapped[datetime | None]
    # The second factor (admin/staff/mfa.py).  The TOTP secret, encrypted (Fernet,
    # PORTAL_DATA_KEYS), is read only when a code is checked (deferred); None: not
    # enrolled, they enroll at their next sign-in.  `totp_last_step`: the time step of
    # the last code accepted; that step and earlier ones are refused (no replay).
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText, deferred=True)
    totp_enrolled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]
    practice: Mapped[Practice] = relationship()

    kind = "staff"

    def get_id(self) -> str:
        return f"{self.kind}:{self.id}"

    @validates("email")
    def _index_email(self, _key, value):
        self.email_hash = crypto.name_hash(value)
        return value

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def mfa_enrolled(self) -> bool:
        return self.totp_enrolled_at is not None


class StaffToken(db.Model):
    """A single-use, expiring link for one staff member: invitation or reset."""
    __tablename__ = "staff_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(10))      # INVITE or RESET
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    staff: Mapped[StaffUser] = relationship()


class StaffRecoveryCode(db.Model):
    """One of a staff member's ten single-use recovery codes, as its keyed digest
    (auth.otp.recovery_digest); `used_at` once it has signed them in."""
    __tablename__ = "staff_recovery_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]
