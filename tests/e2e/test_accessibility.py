"""Accessibility in the real browser: axe-core (WCAG 2.x A/AA rules) on every page of the
wizard, with and without errors, and the first steps done with the keyboard alone."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.test_enrollment_browser import (button, consent, expect_step, fill_credentials,
                                               fill_personal, fill_security, htmx_post,
                                               label, not_a_robot, start)
from tests.wizard import GOOD

pytestmark = pytest.mark.e2e
AXE = Axe()
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                             "wcag22aa"]},
        "resultTypes": ["violations"]}


def assert_accessible(page, where: str) -> None:
    results = AXE.run(page, options=WCAG)
    problems = [f"{v['id']}: {v['help']} ({len(v['nodes'])}x) "
                f"{[n['target'] for n in v['nodes']][:3]}"
                for v in results.response["violations"]]
    assert not problems, f"{where}: " + "; ".join(problems)


def test_every_page_of_the_wizard_passes_axe(js_page):
    page = js_page
    page.goto("/")
    assert_accessible(page, "home")
    start(page)
    assert_accessible(page, "practice")
    label(page, "Practice").select_option(label="Riverside Family Medicine")
    htmx_post(page, "/enroll/practice")
    expect_step(page, "personal")
    assert_accessible(page, "personal")
    htmx_post(page, "/enroll/personal", status=422)
    expect(page.locator("#error-summary")).to_be_focused()
    assert_accessible(page, "personal with errors")
    fill_personal(page, {**GOOD["personal"], "date_of_birth": "1984-03-09"})
    htmx_post(page, "/enroll/personal")
    expect_step(page, "insurance")
    assert_accessible(page, "insurance")
    not_a_robot(page)
    assert_accessible(page, "insurance, verified")
    htmx_post(page, "/enroll/insurance")
    expect_step(page, "credentials")
    label(page, "Username").fill("ab")
    expect(page.locator("#username-live")).to_contain_text("Use 6 to 50")
    assert_accessible(page, "credentials with a live message")
    fill_credentials(page, "axe-checker-01")
    htmx_post(page, "/enroll/credentials")
    expect_step(page, "security")
    assert_accessible(page, "security")
    fill_security(page)
    htmx_post(page, "/enroll/security")
    expect_step(page, "review")
    assert_accessible(page, "review")
    consent(page)
    htmx_post(page, "/enroll/review", "Request an appointment")
    assert_accessible(page, "appointment")
    page.get_by_label("Reason for visit").fill("Annual check-up")
    htmx_post(page, "/enroll/appointment", "Send requests")
    expect(page.locator("#main")).to_contain_text("approval is pending")
    assert_accessible(page, "done")
    page.goto("/enroll/start-over")
    assert_accessible(page, "start over")


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.textContent")


def tab_to(page, target_id: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == target_id:
            return
    raise AssertionError(f"Tab never reached #{target_id}")


def test_keyboard_alone_gets_through_the_first_steps(js_page):
    page = js_page
    page.goto("/enroll/practice")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    tab_to(page, "practice")
    page.keyboard.press("ArrowDown")   # the first practice, alphabetically
    page.keyboard.press("Tab")
    expect(button(page, "Next")).to_be_focused()
    page.keyboard.press("Enter")
    expect_step(page, "personal")
    expect(page.locator("#page-heading")).to_be_focused()
    data = GOOD["personal"]
    for field in ("first_name", "last_name", "street", "city", "zip_code", "phone",
                  "date_of_birth", "email"):
        tab_to(page, field)
        if field == "date_of_birth":   # a date control takes the digits in its locale order
            page.keyboard.type("03091984")
        else:
            page.keyboard.type(data[field])
    tab_to(page, "state")
    page.keyboard.type("Illinois")
    expect(page.locator("#state")).to_have_value("IL")
    tab_to(page, "email")
    page.keyboard.press("Enter")       # implicit submission: the first button, Next
    expect_step(page, "insurance")
    expect(page.locator("#page-heading")).to_be_focused()
    tab_to(page, "human_check")
    page.keyboard.press("Space")
    expect(page.locator("#human-check-status")).to_have_text("Verified")
    page.keyboard.press("Tab")
    expect(button(page, "Next")).to_be_focused()
    page.keyboard.press("Enter")
    expect_step(page, "credentials")
    expect(page.locator("#page-heading")).to_be_focused()
    assert re.search(r"Step 4 of 6", page.locator("#step-indicator").inner_text())


def test_the_axe_check_can_fail(js_page):
    """The same check on a page with an unlabelled input and no language must fail."""
    js_page.set_content("<html><body><input type=text><img src='x.png'></body></html>")
    with pytest.raises(AssertionError, match="label"):
        assert_accessible(js_page, "broken on purpose")
