"""The staff dashboard in a real browser: sign in (password, then the code from the
app, made here with pyotp), approve with htmx (the decision and the pending count change
in place, focus moves to the result), and the idle warning's "Stay signed in" reached
and pressed with the keyboard alone."""
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from admin.staff import accounts as staff_accounts
from auth.hashing import hash_secret
from database import write_transaction
from enrollment.models import EnrollmentRequest, PatientAccount, Practice, utcnow
from extensions import db
from tests.admin.mfa_helpers import totp, with_second_factor

pytestmark = pytest.mark.e2e
PASSWORD = "quiet harbour lantern 42"
CODE_LABEL = "Code from your authenticator app"
SECRETS: dict = {}    # email -> the key of the staff member's app


def create_staff(app, email: str, admin: bool = False) -> None:
    """A staff member whose phone already has its key (enrolled before this test)."""
    with app.app_context():
        staff_accounts.create(email, "riverside-family", PASSWORD, admin=admin)
    SECRETS[email] = with_second_factor(app, email)


def type_code(page, email: str) -> None:
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    page.get_by_label(CODE_LABEL).fill(totp(SECRETS[email]).now())
    page.get_by_role("button", name="Sign in").click()


def _setup(app, n: int) -> int:
    """A staff member and one pending request with a confirmed address; its id."""
    with app.app_context():
        practice = db.session.execute(sa.select(Practice).where(
            Practice.slug == "riverside-family")).scalar_one()
        now = utcnow()
        with write_transaction():
            account = PatientAccount(practice_id=practice.id, username=f"e2e-patient{n}",
                                     password_hash=hash_secret("x" * 16), active=False)
            req = EnrollmentRequest(
                practice_id=practice.id, account=account, first_name="Rosa",
                last_name=f"Quintero{n}", street="1 Main St", city="Springfield",
                state="IL", zip_code="62701", phone="+12175550100",
                date_of_birth=date(1970, 1, 2), email=f"rosa{n}@example.org",
                terms_version="t", terms_accepted_at=now, email_consent_at=now,
                email_confirmed_at=now)
            req.email_confirmed_hash = req.email_hash   # its address now is confirmed
            db.session.add_all([account, req])
    create_staff(app, f"e2e{n}@riverside.example")
    return req.id


def _sign_in(page, n: int) -> None:
    page.goto("/admin/")
    assert page.url.endswith("/admin/login")
    page.get_by_label("Email address").fill(f"e2e{n}@riverside.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    type_code(page, f"e2e{n}@riverside.example")
    expect(page.get_by_role("heading", name="Enrollment requests")).to_be_visible()


def test_sign_in_and_approve_in_place(js_page, live_server):
    page = js_page
    request_id = _setup(live_server.app, 1)
    _sign_in(page, 1)
    page.get_by_role("link", name="Quintero1, Rosa").click()
    expect(page.locator("#page-heading")).to_have_text("Rosa Quintero1")
    before = page.locator("#pending-count").inner_text()
    with page.expect_response(f"**/admin/requests/{request_id}/approve") as answer:
        page.get_by_role("button", name="Approve").click()
    assert answer.value.status == 200 and answer.value.request.headers["hx-request"] == "true"
    expect(page.locator("#decision-result")).to_contain_text("Approved.")
    expect(page.locator("#decision-result")).to_be_focused()
    after = page.locator("#pending-count").inner_text()
    pending = int(before.removeprefix("(").removesuffix(" pending)"))
    assert after == f"({pending - 1} pending)"
    page.watch.assert_clean()


def test_the_idle_warning_works_from_the_keyboard(js_page, live_server, monkeypatch):
    page = js_page
    _setup(live_server.app, 2)
    monkeypatch.setitem(live_server.app.config, "STAFF_IDLE_MINUTES", 1)   # due at once
    _sign_in(page, 2)
    stay = page.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_visible()
    expect(stay).to_be_focused()
    expect(page.get_by_role("alertdialog")).to_contain_text("Are you still there?")
    with page.expect_response("**/admin/session") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 204
    page.watch.assert_clean()


def test_dashboard_pages_pass_axe(js_page, live_server):
    from tests.e2e.test_accessibility import assert_accessible
    page = js_page
    request_id = _setup(live_server.app, 3)
    create_staff(live_server.app, "e2e-admin3@riverside.example", admin=True)
    page.goto("/admin/login")
    assert_accessible(page, "sign-in")
    page.get_by_role("button", name="Sign in").click()
    assert_accessible(page, "sign-in with errors")
    page.get_by_label("Email address").fill("e2e-admin3@riverside.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    assert_accessible(page, "code step")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert_accessible(page, "code step with errors")
    type_code(page, "e2e-admin3@riverside.example")
    expect(page.get_by_role("heading", name="Enrollment requests")).to_be_visible()
    assert_accessible(page, "queue")
    page.get_by_label("Search for").fill("quintero3")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-heading")).to_be_focused()
    assert_accessible(page, "search results")
    page.goto(f"/admin/requests/{request_id}")
    assert_accessible(page, "detail")
    page.locator("summary", has_text="Reject…").click()   # folded under the buttons
    assert_accessible(page, "detail, reject opened")
    page.get_by_role("button", name="Reject", exact=True).click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert_accessible(page, "reject with errors")
    page.locator("summary", has_text="Ask the patient for information…").click()
    page.get_by_role("button", name="Send to the patient").click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert_accessible(page, "needs information with errors")
    page.goto("/admin/audit")
    assert_accessible(page, "audit trail")
    page.goto("/admin/settings")
    assert_accessible(page, "practice settings")
    page.goto("/admin/staff")
    assert_accessible(page, "staff")
    page.goto("/admin/?status=needs_info")
    assert_accessible(page, "queue, needs information")
    page.watch.assert_clean(statuses=(422,))
