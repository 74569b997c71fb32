"""Issue 14 in the real browser on a phone (360 x 740), with and without JavaScript:
a street corrected from the review page in two clicks (Edit, Save) back on the review
page with "Saved"; a new middle name asks for the password again saying why, then
returns to review; the consent error's summary is in view at load without
JavaScript.  Screenshots of each screen (E2E_SCREENSHOTS=folder keeps them)."""
import os
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_enrollment_browser import (button, consent, fill_credentials,
                                               fill_personal, fill_security, htmx_post,
                                               label, not_a_robot, plain_post, start)
from tests.wizard import GOOD

pytestmark = pytest.mark.e2e
SCREEN = {"width": 360, "height": 740}
WHY = "Your name changed, so choose your password again: it must not contain your name."


def _phone(browser, live_server, javascript: bool, tmp_path):
    from tests.e2e.conftest import _context
    context, watch = _context(browser, live_server, viewport=SCREEN,
                              java_script_enabled=javascript)
    page = context.new_page()
    page.watch, page.javascript = watch, javascript
    page.shots = os.environ.get("E2E_SCREENSHOTS") or str(tmp_path)
    page.clicks = 0
    return context, page


@pytest.fixture(params=[False, True], ids=["no-js", "js"])
def phone(request, browser, live_server, server_errors, tmp_path):
    context, page = _phone(browser, live_server, request.param, tmp_path)
    yield page
    context.close()


@pytest.fixture
def nojs_phone(browser, live_server, server_errors, tmp_path):
    context, page = _phone(browser, live_server, False, tmp_path)
    yield page
    context.close()


def shot(page, name: str, full: bool = False) -> None:
    mode = "js" if page.javascript else "nojs"
    page.screenshot(path=os.path.join(page.shots, f"journey-{mode}-{name}.png"),
                    caret="initial", full_page=full)


def post(page, path: str, name: str = "Next", redirect_to=None, status=200):
    page.clicks += 1
    if page.javascript:
        return htmx_post(page, path, name, status=status)
    return plain_post(page, path, name, redirect_to=redirect_to)


def to_review(page, username: str) -> None:
    start(page)
    label(page, "Practice").select_option(label="Riverside Family Medicine")
    post(page, "/enroll/practice", redirect_to="/enroll/personal")
    fill_personal(page, GOOD["personal"])
    post(page, "/enroll/personal", redirect_to="/enroll/insurance")
    shot(page, "0-insurance", full=True)
    not_a_robot(page, javascript=page.javascript)
    post(page, "/enroll/insurance", redirect_to="/enroll/credentials")
    fill_credentials(page, username)
    post(page, "/enroll/credentials", redirect_to="/enroll/security")
    fill_security(page)
    shot(page, "0-security", full=True)
    post(page, "/enroll/security", redirect_to="/enroll/review")
    expect(page).to_have_url(re.compile(r"/enroll/review$"))


def edit(page, section: str) -> None:
    page.clicks += 1
    page.get_by_role("link", name=f"Edit {section}").click()


def test_a_street_and_a_middle_name_from_the_review_page(phone):
    page = phone
    username = "journey-" + ("js" if page.javascript else "nojs")
    to_review(page, username)
    shot(page, "1-review")

    # A street: Edit, Save; back on the review page with "Saved" and the new street.
    page.clicks = 0
    edit(page, "Personal information")
    expect(page).to_have_url(re.compile(r"/enroll/personal\?from=review$"))
    expect(button(page, "Save")).to_be_visible()
    expect(button(page, "Cancel")).to_be_visible()
    expect(page.locator("#editing")).to_have_text(
        "Change what you need, then select Save to go back to the review page.")
    shot(page, "2-edit-personal")
    label(page, "Street address").fill("14 Oak Avenue")
    post(page, "/enroll/personal", "Save", redirect_to="/enroll/review")
    expect(page).to_have_url(re.compile(r"/enroll/review(\?saved=personal)?$"))
    saved = page.locator("#saved")
    expect(saved).to_have_text("Saved your changes to Personal information.")
    expect(page.locator("#r-personal + dl")).to_contain_text("14 Oak Avenue")
    if page.javascript:
        expect(saved).to_be_focused()
    shot(page, "3-saved")
    assert page.clicks == 2

    # A middle name: the password again, saying why; then back on the review page.
    page.clicks = 0
    edit(page, "Personal information")
    label(page, "Middle name").fill("Luisa")
    post(page, "/enroll/personal", "Save", redirect_to="/enroll/credentials")
    expect(page).to_have_url(re.compile(r"/enroll/credentials\?from=review$"))
    reason = page.locator("#password-reason")
    expect(reason).to_have_text(WHY)   # at the top: in view at load
    box = reason.bounding_box()
    assert box is not None and box["y"] + box["height"] <= SCREEN["height"]
    if page.javascript:
        expect(reason).to_be_focused()
    shot(page, "4-password-again")
    label(page, "Password").fill(GOOD["credentials"]["password"])
    label(page, "Confirm password").fill(GOOD["credentials"]["confirm"])
    post(page, "/enroll/credentials", "Save", redirect_to="/enroll/review")
    expect(page.locator("#saved")).to_have_text("Saved your changes to Account credentials.")
    expect(page.locator("#r-personal + dl")).to_contain_text("Maria Luisa Delgado")
    assert page.clicks == 3
    page.watch.assert_clean()


def test_the_consent_error_is_in_view_at_load_without_javascript(nojs_phone):
    page = nojs_phone
    to_review(page, "journey-consent")
    page.get_by_label(re.compile("terms of use and privacy notice")).check()
    resp = post(page, "/enroll/review", "Complete enrollment")
    assert resp.status == 422
    assert page.evaluate("window.scrollY") == 0
    box = page.locator("#error-summary").bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= SCREEN["height"]
    expect(page.locator("#error-summary")).to_contain_text("Agree to email contact")
    shot(page, "5-consent-error")
    consent(page)
    post(page, "/enroll/review", "Complete enrollment", redirect_to="/enroll/done")
    page.watch.assert_clean()


def test_the_account_page_shows_the_appointment_on_a_phone(nojs_phone, live_server):
    """Item 7: a confirmed appointment's date, time with the zone's abbreviation,
    provider and location on the account page, whole on a 360 px screen."""
    from datetime import datetime

    import sqlalchemy as sa

    from admin.appointments.models import AppointmentDecision
    from admin.staff.models import StaffUser
    from auth.hashing import hash_secret
    from database import write_transaction
    from enrollment.models import AppointmentRequest, EnrollmentRequest, PatientAccount
    from extensions import db
    from tests.e2e.test_admin_browser import _setup

    app, page = live_server.app, nojs_phone
    request_id = _setup(app, 77)
    with app.app_context(), write_transaction():
        req = db.session.get(EnrollmentRequest, request_id)
        req.status = "approved"
        account = db.session.get(PatientAccount, req.account_id)
        account.active, account.password_hash = True, hash_secret(GOOD["credentials"]["password"])
        appt = AppointmentRequest(enrollment_id=req.id, practice_id=req.practice_id,
                                  reason="Sore knee", status="approved")
        db.session.add(appt)
        db.session.flush()
        staff_id = db.session.execute(sa.select(StaffUser.id).limit(1)).scalar()
        db.session.add(AppointmentDecision(
            appointment_id=appt.id, staff_id=staff_id, decision="approved",
            starts_at=datetime(2031, 1, 15, 15, 30), timezone="America/Chicago",
            provider_name="Dr. Samuel Lee", location_name="Westside office",
            location_address="400 W Jefferson St"))
    page.goto("/login")
    label(page, "Username").fill("e2e-patient77")
    label(page, "Password").fill(GOOD["credentials"]["password"])
    button(page, "Sign in").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    shown = page.locator("#appointment")
    expect(shown).to_contain_text("January 15, 2031")
    expect(shown).to_contain_text("9:30 AM CST")
    expect(shown).to_contain_text("Dr. Samuel Lee")
    expect(shown).to_contain_text("Westside office, 400 W Jefferson St")
    assert "Sore knee" not in page.content() and "UTC" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]
    shot(page, "6-account-appointment", full=True)
    page.watch.assert_clean()
