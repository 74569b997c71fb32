"""Patients after submission: enrolled through the wizard (CSRF on), signed in through
/login, approved through the same code path as the dashboard.  The real SMTP server
and the staff fixtures are tests/outbox's and tests/admin's."""
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from enrollment.models import EnrollmentRequest, PatientAccount
from extensions import db
from outbox import send_due
from tests.admin.conftest import (  # noqa: F401  (fixtures: limits reset, staff)
    Staff, confirm_email, create_staff, fresh_limits, make_staff, patient_request, request_of)
from tests.browser import FormBrowser
from tests.outbox.conftest import enroll, smtp  # noqa: F401  (the SMTP fixture)
from tests.wizard import GOOD

PASSWORD = GOOD["credentials"]["password"]


@dataclass
class PatientUser(FormBrowser):
    """A browser of one patient."""
    client: object
    username: str
    email: str
    request_id: int
    token: str = ""
    first_page = "/login"

    def sign_in(self, password=PASSWORD, username=None, htmx=False):
        self.get("/login")
        resp = self.post("/login", {"username": username or self.username,
                                    "password": password}, htmx=htmx)
        if resp.status_code == 303:
            self.get(resp.headers["Location"])
        return resp


@pytest.fixture
def patient(app, practices):
    """patient(n=0, practice=..., confirmed=True, sign_in=True) -> a PatientUser whose
    request is pending; username outbox-user<n>, email patient<n>@example.org, its
    client the browser that enrolled."""
    def make(n=0, practice="riverside-family", confirmed=True, sign_in=True, **overrides):
        wizard = enroll(app, practices[practice], n, **overrides)
        req = request_of(app, f"patient{n}@example.org")
        if confirmed:
            confirm_email(app, req.id)
        # The browser that enrolled (its draft cookie still shows the done page).
        user = PatientUser(wizard.client, f"outbox-user{n}", req.email, req.id)
        if sign_in:
            resp = user.sign_in()
            assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
        return user
    return make


def approve(app, make_staff, request_id: int,  # noqa: F811  (the fixture, passed in)
            staff_email="ana@riverside.example"):
    """Approve through the dashboard (its real route)."""
    staff = make_staff(staff_email)
    staff.get(f"/admin/requests/{request_id}")
    resp = staff.post(f"/admin/requests/{request_id}/approve")
    assert resp.status_code in (200, 303), resp.status_code
    return staff


def account_of(app, username: str) -> PatientAccount | None:
    with app.app_context():
        return db.session.execute(sa.select(PatientAccount).where(
            PatientAccount.username == username.lower())
            .execution_options(populate_existing=True)).scalar()


def deliver(app, smtp, to: str) -> list:   # noqa: F811  (the fixture, passed in)
    """Send what the outbox holds; the messages the SMTP server got for `to`."""
    with app.app_context():
        assert send_due().failed == 0
    return [m for m in smtp.messages if to in m.rcpt_tos]


def status_of(app, request_id: int) -> str:
    with app.app_context():
        return db.session.get(EnrollmentRequest, request_id,
                              populate_existing=True).status
