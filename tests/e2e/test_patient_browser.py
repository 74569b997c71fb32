"""The patient after submission, in a real browser: sign in, read the practice's
message, correct a section and send the request back, with the keyboard alone, with
htmx and without JavaScript; and every patient page through axe-core."""
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from admin.staff import accounts as staff_accounts
from auth.hashing import hash_secret
from database import write_transaction
from enrollment.codes import NEEDS_INFO
from enrollment.models import (EnrollmentRequest, InfoRequest, PatientAccount, Practice,
                               SecurityAnswer, utcnow)
from extensions import db

pytestmark = pytest.mark.e2e
PASSWORD = "maple window orchard 58"
STAFF_PASSWORD = "quiet harbour lantern 42"
MESSAGE = "Please check your date of birth."
QUESTIONS = ("first_school", "first_pet", "birth_city", "first_job", "first_car")


def _patient(app, n: int, needs_info: bool = False, approved: bool = False) -> int:
    """A patient account (username e2e-pat<n>) with its request; its request id."""
    with app.app_context():
        practice = db.session.execute(sa.select(Practice).where(
            Practice.slug == "riverside-family")).scalar_one()
        now = utcnow()
        with write_transaction():
            account = PatientAccount(practice_id=practice.id, username=f"e2e-pat{n}",
                                     password_hash=hash_secret(PASSWORD), active=approved)
            account.answers = [SecurityAnswer(position=i, question=q,
                                              answer_hash=hash_secret(f"answer {i}"))
                               for i, q in enumerate(QUESTIONS)]
            req = EnrollmentRequest(
                practice_id=practice.id, account=account, first_name="Lena",
                last_name=f"Ortiz{n}", street="1 Main St", city="Springfield", state="IL",
                zip_code="62701", phone="+12175550100", date_of_birth=date(1970, 1, 2),
                email=f"lena{n}@example.org", terms_version="t", terms_accepted_at=now,
                email_consent_at=now, email_confirmed_at=now,
                status=NEEDS_INFO if needs_info else ("approved" if approved else "pending"))
            req.email_confirmed_hash = req.email_hash   # its address now is confirmed
            db.session.add_all([account, req])
            db.session.flush()
            if needs_info:
                staff = staff_accounts.create(f"e2e-asker{n}@riverside.example",
                                              "riverside-family", STAFF_PASSWORD)
                db.session.add(InfoRequest(request_id=req.id, staff_id=staff.id,
                                           message=MESSAGE, sections=["personal"]))
        return req.id


def _sign_in(page, n: int, landing: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(f"E2E-PAT{n}")   # any case
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#page-heading")).to_have_text(landing)
    # The deferred scripts have run: a key pressed now is htmx's, not a plain navigation.
    page.wait_for_load_state("load")


def _request(app, request_id: int) -> EnrollmentRequest:
    with app.app_context():
        return db.session.get(EnrollmentRequest, request_id, populate_existing=True)


def test_needs_information_loop_with_the_keyboard_alone(js_page, live_server):
    page = js_page
    request_id = _patient(live_server.app, 1, needs_info=True)
    _sign_in(page, 1, "Your enrollment request")
    expect(page.locator("#main")).to_contain_text(MESSAGE)
    link = page.get_by_role("link", name="Correct: Personal information")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#page-heading")).to_have_text("Correct: Personal information")
    expect(page.locator("#page-heading")).to_be_focused()
    field = page.get_by_label("Date of birth")
    field.focus()   # a date input: month, day, year segments, typed in order
    page.keyboard.type("01121970")
    with page.expect_response("**/status/correct/personal") as answer:
        page.keyboard.press("Enter")   # submits the form from the field
    assert answer.value.status == 200, page.locator("#main").inner_text()
    expect(page.locator("[data-focus]")).to_contain_text("Saved.")
    expect(page.locator("[data-focus]")).to_be_focused()
    assert page.url.endswith("/status?saved=personal")
    assert _request(live_server.app, request_id).date_of_birth == date(1970, 1, 12)
    page.get_by_role("button", name="Send the request back").focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-focus]")).to_contain_text("Sent.")
    expect(page.locator("[data-focus]")).to_be_focused()
    row = _request(live_server.app, request_id)
    assert row.status == "pending" and row.resubmitted_at is not None
    page.watch.assert_clean()


def test_needs_information_loop_without_javascript(nojs_page, live_server):
    page = nojs_page
    request_id = _patient(live_server.app, 2, needs_info=True)
    _sign_in(page, 2, "Your enrollment request")
    page.get_by_role("link", name="Correct: Personal information").click()
    page.get_by_label("Last name").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#error-summary")).to_contain_text("Enter your last name.")
    page.get_by_label("Last name").fill("Ortiz-Vega")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#main")).to_contain_text("Saved.")
    page.get_by_role("button", name="Send the request back").click()
    expect(page.locator("#main")).to_contain_text("Sent.")
    row = _request(live_server.app, request_id)
    assert row.status == "pending" and row.last_name == "Ortiz-Vega"
    assert page.watch.foreign_requests() == []


def test_patient_pages_pass_axe(js_page, live_server):
    from tests.e2e.test_accessibility import assert_accessible
    page = js_page
    _patient(live_server.app, 3, needs_info=True)
    _patient(live_server.app, 4, approved=True)
    page.goto("/login")
    assert_accessible(page, "sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page, "sign-in with errors")
    _sign_in(page, 3, "Your enrollment request")
    assert_accessible(page, "status, needs information")
    page.get_by_role("link", name="Correct: Personal information").click()
    expect(page.locator("#page-heading")).to_be_focused()
    assert_accessible(page, "correct a section")
    page.get_by_label("First name").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert_accessible(page, "correct a section, with errors")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#page-heading")).to_have_text("Sign in to the patient portal")
    _sign_in(page, 4, "Your account")
    assert_accessible(page, "account page")
    page.get_by_role("link", name="Change your password").click()
    expect(page.locator("#page-heading")).to_have_text("Change your password")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert_accessible(page, "change password, with errors")
    page.goto("/account/questions")
    assert_accessible(page, "security questions")
    for path, where in (("/forgot-password", "forgot password"),
                        ("/forgot-username", "forgot username")):
        page.goto(path)
        assert_accessible(page, where)
    page.watch.assert_clean(statuses=(401, 422))


def test_the_patient_idle_warning_works_from_the_keyboard(js_page, live_server, monkeypatch):
    page = js_page
    _patient(live_server.app, 5)
    monkeypatch.setitem(live_server.app.config, "PATIENT_IDLE_MINUTES", 1)   # due at once
    _sign_in(page, 5, "Your enrollment request")
    stay = page.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    with page.expect_response("**/session") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 204
    page.watch.assert_clean()
