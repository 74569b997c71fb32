"""The second factor, as tests meet it: the key read off the enrollment page, codes
made with pyotp (the app on a phone), the recovery codes read off their page, and what
the database holds."""
import re

import pyotp
import sqlalchemy as sa

from admin.staff.models import StaffUser
from auth import otp
from auth.clock import utcnow
from database import write_transaction
from extensions import db

KEY = re.compile(r'<code id="totp-key">([A-Z2-7 ]+)</code>')
RECOVERY = re.compile(r"<li><code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</code></li>")


def totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret)


def key_on_page(html: str) -> str:
    found = KEY.search(html)
    assert found, "no key on the enrollment page"
    return found.group(1).replace(" ", "")


def recovery_codes_on_page(html: str) -> list:
    codes = RECOVERY.findall(html)
    assert len(codes) == 10, html[:2000]
    return codes


def staff_row(app, email: str) -> StaffUser:
    with app.app_context():
        row = db.session.execute(sa.select(StaffUser).where(StaffUser.email == email)
                                 .execution_options(populate_existing=True)).scalar_one()
        _ = row.totp_secret   # the deferred column, read while the session is open
        db.session.expunge(row)
        return row


def secret_of(app, email: str) -> str:
    return staff_row(app, email).totp_secret


def fresh_code(app, email: str) -> str:
    """The app's code now.  A code of a step already accepted is refused (no replay):
    when the last sign-in was within this step, the account's last step is moved back
    one step, as if the staff member had waited for the next code.  Tests of the
    refusal itself post codes without this helper."""
    row = staff_row(app, email)
    here = otp.current_step()
    if row.totp_last_step is not None and row.totp_last_step >= here:
        with app.app_context(), write_transaction():
            db.session.execute(sa.update(StaffUser).where(StaffUser.id == row.id)
                               .values(totp_last_step=here - 1))
    return totp(row.totp_secret).now()


def with_second_factor(app, email: str) -> str:
    """Set up: the staff member's phone already holds a key (as if enrolled earlier,
    no code used yet).  The key, for pyotp.  The enrollment itself is tested through
    its pages (tests/admin/test_mfa_enroll.py)."""
    secret = pyotp.random_base32()
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(StaffUser).where(StaffUser.email == email)
                           .values(totp_secret=secret, totp_enrolled_at=utcnow()))
    return secret
