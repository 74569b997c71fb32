"""A whole decision with the keyboard alone, in Chromium: from the queue (Tab to the
row's Approve, Enter: focus on the row's message) and through the request's page
(Enter on its link, Tab to Approve, Enter: focus on the result, whose first link is
"Next pending request"; Enter: the next request, whose Approve is the next Tab)."""
import pytest
from playwright.sync_api import expect

from tests.e2e.test_admin_browser import _setup, _sign_in

pytestmark = pytest.mark.e2e


def _tab_until(page, predicate: str, limit: int = 60) -> int:
    for presses in range(limit):
        if page.evaluate(f"() => {{ const e = document.activeElement; return {predicate}; }}"):
            return presses
        page.keyboard.press("Tab")
    raise AssertionError(f"never focused: {predicate}")


def test_decisions_with_the_keyboard_alone(js_page, live_server):
    page = js_page
    first = _setup(live_server.app, 71)
    second = _setup(live_server.app, 72)
    third = _setup(live_server.app, 73)
    _sign_in(page, 73)
    # From the queue: the newest request's row (the third) approved in place.
    _tab_until(page, f"e.closest && !!e.closest('#request-{third}') && e.tagName === 'BUTTON'")
    with page.expect_response(f"**/admin/requests/{third}/approve"):
        page.keyboard.press("Enter")
    expect(page.locator(f"#request-{third} .result")).to_be_focused()
    # Through the request's page: the second.
    _tab_until(page, f"e.getAttribute('href') === '/admin/requests/{second}'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    presses = _tab_until(page, "e.id === 'approve'")
    with page.expect_response(f"**/admin/requests/{second}/approve"):
        page.keyboard.press("Enter")
    expect(page.locator("#decision-result")).to_be_focused()
    expect(page.locator("#decision-result")).to_contain_text("Approved.")
    page.keyboard.press("Tab")
    expect(page.locator("#next-request")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/admin/requests/{first}#page-heading")
    assert _tab_until(page, "e.id === 'approve'") == 1 <= presses
    with page.expect_response(f"**/admin/requests/{first}/approve"):
        page.keyboard.press("Enter")
    expect(page.locator("#decision-result")).to_be_focused()
    page.watch.assert_clean()
