"""Appointment requests in a real browser: 'Approve enrollment and appointment' with
htmx (both panels change in place), decline in place, and the appointment queue and a
detail with an appointment pass axe."""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from database import write_transaction
from enrollment.models import AppointmentRequest, EnrollmentRequest
from extensions import db
from tests.e2e.test_admin_browser import PASSWORD, _setup, create_staff, type_code

pytestmark = pytest.mark.e2e
NEXT = date.today().year + 1


def _with_appointment(app, n: int) -> int:
    request_id = _setup(app, n)
    with app.app_context(), write_transaction():
        req = db.session.get(EnrollmentRequest, request_id)
        db.session.add(AppointmentRequest(enrollment_id=req.id, practice_id=req.practice_id,
                                          reason="Sore knee", preferred_days="mon"))
    return request_id


def _sign_in(page, email: str) -> None:
    page.goto("/admin/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    type_code(page, email)
    expect(page.get_by_role("heading", name="Enrollment requests")).to_be_visible()


def test_approve_both_and_decline_in_place(js_page, live_server):
    page = js_page
    first = _with_appointment(live_server.app, 41)
    second = _with_appointment(live_server.app, 42)
    _sign_in(page, "e2e41@riverside.example")
    page.goto(f"/admin/requests/{first}")
    # Other browser tests share this server and may leave appointments pending too.
    before = int(re.search(r"\d+", page.locator("#appointments-count").inner_text()).group())
    assert before >= 2
    page.get_by_label("Date", exact=True).fill(f"{NEXT}-01-15")
    page.get_by_label("Time", exact=True).fill("09:30")
    page.get_by_label("Provider", exact=True).select_option(label="Dr. Samuel Lee")
    page.get_by_label("Location", exact=True).select_option(label="Westside office")
    with page.expect_response(f"**/admin/requests/{first}/approve-both") as answer:
        page.get_by_role("button", name="Approve enrollment and appointment").click()
    assert answer.value.status == 200
    expect(page.locator("#decision-result")).to_contain_text("Approved.")
    expect(page.locator("#appointment-decision")).to_contain_text("Appointment confirmed.")
    expect(page.locator("#appointment-decision")).to_contain_text(
        f"{NEXT}-01-15 09:30 CST, Dr. Samuel Lee, Westside office")
    expect(page.locator("#appointments-count")).to_have_text(f"({before - 1} pending)")
    page.goto(f"/admin/requests/{second}")
    page.get_by_label("Why it cannot be booked").select_option("no_availability")
    with page.expect_response("**/admin/appointments/*/decline") as answer:
        page.get_by_role("button", name="Decline the appointment").click()
    assert answer.value.status == 200
    expect(page.locator("#appointment-decision")).to_contain_text("Appointment declined.")
    expect(page.locator("#appointments-count")).to_have_text(f"({before - 2} pending)")
    page.watch.assert_clean()


def test_appointment_pages_pass_axe(js_page, live_server):
    from tests.e2e.test_accessibility import assert_accessible
    page = js_page
    request_id = _with_appointment(live_server.app, 43)
    create_staff(live_server.app, "e2e-admin43@riverside.example", admin=True)
    _sign_in(page, "e2e-admin43@riverside.example")
    page.get_by_role("link", name="Appointments").click()
    expect(page.get_by_role("heading", name="Appointment requests")).to_be_visible()
    assert_accessible(page, "appointment queue")
    page.goto(f"/admin/requests/{request_id}")
    assert_accessible(page, "detail with an appointment")
    page.get_by_role("button", name="Approve enrollment and appointment").click()
    expect(page.locator("#appointment-decision #error-summary")).to_be_visible()
    assert_accessible(page, "appointment form with errors")
    page.watch.assert_clean(statuses=(422,))
