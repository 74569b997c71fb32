"""The second factor in a real browser at 1366x768: the code step with the keyboard
alone (a wrong code: the error summary takes focus; the right one: the dashboard), and
a first sign-in's enrollment (QR code, key, code, recovery codes) with and without
JavaScript, each page passing axe."""
import re

import pytest
from playwright.sync_api import expect

from admin.staff import accounts as staff_accounts
from tests.admin.mfa_helpers import totp
from tests.e2e.conftest import _context
from tests.e2e.test_admin_browser import CODE_LABEL, PASSWORD, SECRETS, create_staff
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.e2e
SCREEN = {"width": 1366, "height": 768}


@pytest.fixture
def wide_page(browser, live_server, server_errors):
    context, watch = _context(browser, live_server, viewport=SCREEN)
    page = context.new_page()
    page.watch = watch
    yield page
    context.close()


@pytest.fixture
def wide_nojs_page(browser, live_server, server_errors):
    context, watch = _context(browser, live_server, viewport=SCREEN,
                              java_script_enabled=False)
    page = context.new_page()
    page.watch = watch
    yield page
    context.close()


def _tab_to(page, element_id: str, most: int = 15) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_the_code_step_with_the_keyboard_alone(wide_page, live_server):
    page = wide_page
    email = "e2e-keys@riverside.example"
    create_staff(live_server.app, email)
    page.goto("/admin/login")
    page.wait_for_load_state("load")
    _tab_to(page, "email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    page.wait_for_load_state("load")
    _tab_to(page, "code")
    right = totp(SECRETS[email]).now()
    page.keyboard.type(f"{(int(right) + 5) % 1_000_000:06d}")
    with page.expect_response("**/admin/login/code") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 422 and answer.value.request.headers["hx-request"] == "true"
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("That code is not right.")
    _tab_to(page, "code")
    page.keyboard.press("Control+A")
    page.keyboard.type(right)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Enrollment requests")).to_be_visible()
    page.watch.assert_clean(statuses=(422,))


def _enroll(page, live_server, email: str, axe: bool = True) -> None:
    """Password, the enrollment page (a wrong code, then the right one), the recovery
    codes, the dashboard.  `axe`: check each page (it needs JavaScript)."""
    check = assert_accessible if axe else (lambda page, where: None)
    with live_server.app.app_context():
        staff_accounts.create(email, "riverside-family", PASSWORD)
    page.goto("/admin/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    qr = page.get_by_role("img", name=re.compile("QR code to scan"))
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 180 and abs(box["width"] - box["height"]) < 1
    check(page, "enrollment")
    key = page.locator("#totp-key").inner_text().replace(" ", "")
    page.get_by_label(CODE_LABEL).fill("000000" if totp(key).now() != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("That code is not right.").first).to_be_visible()
    check(page, "enrollment with errors")
    page.get_by_label(CODE_LABEL).fill(totp(key).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    assert page.locator(".recovery-codes li").count() == 10
    check(page, "recovery codes")
    page.get_by_role("button", name="I have saved them: continue").click()
    expect(page.get_by_role("heading", name="Enrollment requests")).to_be_visible()


def test_a_first_sign_in_enrolls_with_javascript(wide_page, live_server):
    _enroll(wide_page, live_server, "e2e-enroll-js@riverside.example")
    wide_page.watch.assert_clean(statuses=(422,))


def test_a_first_sign_in_enrolls_without_javascript(wide_nojs_page, live_server):
    _enroll(wide_nojs_page, live_server, "e2e-enroll-nojs@riverside.example", axe=False)
    wide_nojs_page.watch.assert_clean(statuses=(422,))
