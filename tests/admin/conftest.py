"""Staff created by the CLI, signed in through the login form and its second factor
(CSRF on), and patients who enrolled through the wizard.  The real SMTP server is
tests/outbox/conftest.py's.

A staff member's first sign-in enrolls the second factor through the real pages (the
key read from the enrollment page, codes made with pyotp, the recovery codes kept);
later ones type the app's current code.  See tests/admin/mfa_helpers.py."""
import re
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from database import write_transaction
from enrollment.models import EnrollmentRequest
from extensions import db, limiter
from tests.admin.mfa_helpers import fresh_code, key_on_page, recovery_codes_on_page, totp
from tests.browser import FormBrowser
from tests.outbox.conftest import enroll, smtp  # noqa: F401  (the SMTP fixture)

PASSWORD = "quiet harbour lantern 42"


@pytest.fixture(autouse=True)
def fresh_limits(app):
    limiter.reset()
    yield
    limiter.reset()


ENROLL, CODE, CODES = "/admin/login/enroll", "/admin/login/code", "/admin/login/recovery-codes"


@dataclass
class Staff(FormBrowser):
    client: object
    email: str
    token: str = ""
    recovery_codes: list = field(default_factory=list)

    @property
    def app(self):
        return self.client.application

    def sign_in(self, password=PASSWORD):
        """The whole sign-in: password, then the code (enrolling first if the account
        has no second factor yet).  The last answer: 303 to /admin/ when it worked."""
        resp = self.sign_in_password(password)
        if resp.status_code != 303:
            return resp
        if resp.headers["Location"] == ENROLL:
            resp = self.enroll()
        elif resp.headers["Location"] == CODE:
            resp = self.enter_code()
        if resp.status_code == 303:   # a new session: the next page has a new CSRF token
            self.get(resp.headers["Location"])
        return resp

    def sign_in_password(self, password=PASSWORD):
        """The first step only: half signed in when it answers 303."""
        self.get("/admin/login")
        return self.post("/admin/login", {"email": self.email, "password": password})

    def enter_code(self, code=None, htmx=False):
        """The code step with the app's current code (or `code`)."""
        self.get(CODE)
        return self.post(CODE, {"code": code or fresh_code(self.app, self.email)},
                         htmx=htmx)

    def enroll(self):
        """Scan (read the key off the page), prove it with a code, keep the recovery
        codes, and continue: the answer of "I have saved them"."""
        secret = key_on_page(self.get(ENROLL).get_data(as_text=True))
        resp = self.post(ENROLL, {"code": totp(secret).now()})
        assert resp.status_code == 303 and resp.headers["Location"] == CODES, resp.status_code
        self.recovery_codes = recovery_codes_on_page(self.get(CODES).get_data(as_text=True))
        return self.post(CODES)


def create_staff(runner, email, practice="riverside-family", admin=False):
    args = ["staff", "create", email, "--practice", practice] + (["--admin"] if admin else [])
    result = runner.invoke(args=args, env={"PORTAL_STAFF_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def make_staff(app, runner, practices):
    def make(email="ana@riverside.example", practice="riverside-family", admin=False,
             sign_in=True) -> Staff:
        create_staff(runner, email, practice, admin)
        staff = Staff(app.test_client(), email)
        if sign_in:
            resp = staff.sign_in()
            assert resp.status_code == 303 and resp.headers["Location"] == "/admin/", \
                resp.get_data(as_text=True)[:2000]
        return staff
    return make


def request_of(app, email: str) -> EnrollmentRequest:
    with app.app_context():
        return db.session.execute(sa.select(EnrollmentRequest).where(
            EnrollmentRequest.email == email)
            .execution_options(populate_existing=True)).scalar_one()


def confirm_email(app, request_id: int) -> None:
    """Mark the address it has now confirmed (the link itself is tested in
    tests/outbox and tests/account/test_confirm_address.py)."""
    with app.app_context(), write_transaction():
        db.session.execute(sa.update(EnrollmentRequest).where(
            EnrollmentRequest.id == request_id)
            .values(email_confirmed_at=sa.func.current_timestamp(),
                    email_confirmed_hash=EnrollmentRequest.email_hash))


@pytest.fixture
def patient_request(app, practices):
    """enroll(n, practice=..., confirmed=True, **overrides) -> the EnrollmentRequest."""
    def make(n=0, practice="riverside-family", confirmed=True, **overrides):
        enroll(app, practices[practice], n, **overrides)
        req = request_of(app, f"patient{n}@example.org")
        if confirmed:
            confirm_email(app, req.id)
        return request_of(app, req.email)
    return make


def text_of(html: str, ident: str) -> str:
    match = re.search(rf'id="{ident}"[^>]*>(.*?)</', html, re.S)
    return match.group(1) if match else ""
