"""The audit trail in a real browser: an admin filters it (htmx swaps the page and
pushes its address; the keyboard alone does it), a filter that cannot be met gets the
error summary with focus on it, times read in the practice's zone, and axe finds
nothing; without JavaScript the same form is a plain GET."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_admin_browser import PASSWORD, _setup, create_staff, type_code

pytestmark = pytest.mark.e2e


def _admin_signs_in(app, page, n: int) -> int:
    request_id = _setup(app, n)
    email = f"boss{n}@riverside.example"
    create_staff(app, email, admin=True)
    page.goto("/admin/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    type_code(page, email)
    expect(page.get_by_role("heading", name="Enrollment requests")).to_be_visible()
    return request_id


def test_an_admin_filters_the_trail_with_the_keyboard(js_page, live_server):
    page = js_page
    request_id = _admin_signs_in(live_server.app, page, 31)
    page.goto(f"/admin/requests/{request_id}")
    page.get_by_role("link", name="Audit trail", exact=True).click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    assert_accessible(page, "audit trail")
    first = page.locator("tbody tr").first
    expect(first).to_contain_text("Viewed the request")
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d C[SD]T", first.inner_text())

    page.get_by_label("Request number").fill(str(request_id))
    page.get_by_label("From (date)").fill("2031-03-02")
    page.get_by_label("To (date)").fill("2031-03-01")
    with page.expect_response("**/admin/audit?*") as answer:
        page.get_by_label("To (date)").press("Enter")
    assert answer.value.status == 422
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The end date must be on or after the start date.")
    assert_accessible(page, "audit trail, a bad filter")

    page.get_by_label("From (date)").fill("")
    page.get_by_label("To (date)").fill("")
    with page.expect_response("**/admin/audit?*") as answer:
        page.get_by_label("Request number").press("Enter")
    assert answer.value.status == 200
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#page-heading")).to_be_focused()
    assert f"request={request_id}" in page.url          # pushed: Back and reload work
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text(f"#{request_id}")
    page.reload()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.watch.assert_clean()


def test_without_javascript_the_filters_are_a_plain_form(nojs_page, live_server):
    page = nojs_page
    request_id = _admin_signs_in(live_server.app, page, 32)
    page.goto(f"/admin/requests/{request_id}")
    page.goto("/admin/audit")
    page.get_by_label("Request number").fill(f"#{request_id}")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    assert f"request=%23{request_id}" in page.url
    page.get_by_label("Request number").fill("nope")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#error-summary")).to_contain_text(
        "Enter a request number, like 1024.")
    page.watch.assert_clean()
