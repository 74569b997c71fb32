"""Small screens and masked fields in the real browser.

At 320 and 360 px wide no item of a page's header overlaps another (their bounding
boxes, read from Chromium) and nothing scrolls sideways, on the patient's pages (signed
out and in, both languages) and the staff dashboard's.  Password and answer fields have
a "Show" button that works from the keyboard; without JavaScript they stay masked."""
import os

import pytest
from playwright.sync_api import expect

from tests.e2e.test_admin_browser import _setup, _sign_in as staff_sign_in
from tests.e2e.test_enrollment_browser import (expect_step, fill_credentials, fill_personal,
                                               fill_security, htmx_post, label, not_a_robot,
                                               start)
from tests.e2e.test_patient_browser import _patient, _sign_in as patient_sign_in
from tests.wizard import GOOD

pytestmark = pytest.mark.e2e
WIDTHS = (320, 360)
SHOTS = os.environ.get("E2E_SHOTS")   # a folder: screenshots of each page at each width
HEADER_ITEMS = """() => {
  const header = document.querySelector("header.top");
  const boxes = [...document.querySelectorAll(
      "header.top a, header.top button, header.top [aria-current], header.top .count")]
    .filter(e => e.offsetParent !== null)
    .map(e => { const r = e.getBoundingClientRect();
                return {text: e.textContent.trim().slice(0, 30), x: r.left, y: r.top,
                        right: r.right, bottom: r.bottom}; });
  return {boxes, scrollWidth: document.documentElement.scrollWidth,
          headerWidth: header.scrollWidth + header.getBoundingClientRect().left,
          width: window.innerWidth};
}"""


def _overlaps(a: dict, b: dict) -> bool:
    return a["x"] < b["right"] - 0.5 and b["x"] < a["right"] - 0.5 \
        and a["y"] < b["bottom"] - 0.5 and b["y"] < a["bottom"] - 0.5


def assert_header_fits(page, where: str, whole_page: bool = True) -> None:
    """The header's items apart and inside the window; with `whole_page`, nothing of
    the page wider than the window (the dashboard's tables may be: staff work at 1366)."""
    found = page.evaluate(HEADER_ITEMS)
    boxes = found["boxes"]
    assert boxes, where
    inside = [b for b in boxes if b in boxes and not any(
        o is not b and o["x"] <= b["x"] and b["right"] <= o["right"] and o["y"] <= b["y"]
        and b["bottom"] <= o["bottom"] for o in boxes)]   # a count inside its link is fine
    clashes = [(a["text"], b["text"]) for i, a in enumerate(inside) for b in inside[i + 1:]
               if _overlaps(a, b)]
    assert clashes == [], (where, clashes, boxes)
    assert all(b["right"] <= found["width"] + 0.5 for b in boxes), (where, boxes)
    assert found["headerWidth"] <= found["width"], (where, found["headerWidth"])
    if whole_page:
        assert found["scrollWidth"] <= found["width"], (where, found["scrollWidth"])


def _each_width(page, path: str, where: str, shots: str | None = None,
                whole_page: bool = True) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 720})
        page.goto(path)
        assert_header_fits(page, f"{where} at {width} px", whole_page)
        if shots:
            page.screenshot(path=f"{shots}-{width}.png", full_page=True)


@pytest.mark.parametrize("path", ["/", "/enroll/practice", "/login", "/nowhere",
                                  "/admin/login", "/?lang=es_US"])
def test_signed_out_headers_fit_small_screens(js_page, path):
    _each_width(js_page, path, path, shots=SHOTS and SHOTS + path.replace("/", "_"))


def test_a_signed_in_patient_s_header_fits_small_screens(js_page, live_server):
    _patient(live_server.app, 60, approved=True)
    patient_sign_in(js_page, 60, "Your account")
    for path in ("/account", "/account/password", "/account?lang=es_US"):
        _each_width(js_page, path, path, shots=SHOTS and SHOTS + path.replace("/", "_"))


def test_the_dashboard_header_fits_small_screens(js_page, live_server):
    _setup(live_server.app, 61)
    staff_sign_in(js_page, 61)
    for path in ("/admin/", "/admin/appointments", "/admin/settings"):
        _each_width(js_page, path, path, shots=SHOTS and SHOTS + path.replace("/", "_"),
                    whole_page=False)


def test_show_works_from_the_keyboard(js_page, live_server):
    page = js_page
    page.goto("/admin/login")
    field = page.get_by_label("Password")
    field.fill("quiet harbour")
    expect(field).to_have_attribute("type", "password")
    field.focus()
    page.keyboard.press("Tab")
    toggle = page.get_by_role("button", name="Show Password")
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    expect(field).to_have_attribute("type", "text")
    expect(page.get_by_role("button", name="Hide Password")).to_be_focused()
    page.keyboard.press("Space")
    expect(field).to_have_attribute("type", "password")
    expect(field).to_have_value("quiet harbour")
    # The form is still the form: Enter in the field submits it (a 422 here), and the
    # answer swapped in gets its own buttons.
    field.press("Enter")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.get_by_role("button", name="Show Password")).to_have_count(1)
    page.watch.assert_clean(statuses=(401, 422))


def _to_security(page, username: str) -> None:
    start(page)
    label(page, "Practice").select_option(label="Riverside Family Medicine")
    htmx_post(page, "/enroll/practice")
    fill_personal(page, GOOD["personal"])
    htmx_post(page, "/enroll/personal")
    not_a_robot(page)
    htmx_post(page, "/enroll/insurance")
    fill_credentials(page, username)
    htmx_post(page, "/enroll/credentials")
    expect_step(page, "security")


def test_answers_are_masked_with_a_show_button(js_page, live_server):
    page = js_page
    _to_security(page, "masked-answers-1")
    answer = label(page, "Answer 1")
    expect(answer).to_have_attribute("type", "password")
    answer.fill("Lincoln Elementary")
    page.get_by_role("button", name="Show Answer 1").click()
    expect(answer).to_have_attribute("type", "text")
    expect(page.get_by_role("button", name="Show", exact=False)).to_have_count(4)
    label(page, "Answer 2").fill("ab")
    htmx_post(page, "/enroll/security", status=422)
    expect(page.locator("#error-summary")).to_be_focused()
    expect(label(page, "Answer 1")).to_have_value("")   # kept hashed, never shown back
    if SHOTS:
        page.set_viewport_size({"width": 360, "height": 720})
        page.screenshot(path=f"{SHOTS}security-422-360.png", full_page=True)


def test_without_javascript_fields_stay_masked(nojs_page):
    page = nojs_page
    page.goto("/login")
    expect(page.get_by_label("Password")).to_have_attribute("type", "password")
    expect(page.get_by_role("button", name="Show Password")).to_have_count(0)
    if SHOTS:
        page.set_viewport_size({"width": 360, "height": 720})
        page.screenshot(path=f"{SHOTS}login-nojs-360.png", full_page=True)


def test_the_terms_are_a_link_to_their_page(js_page, live_server):
    """The review step links the terms (the built-in page here), in a new tab."""
    page = js_page
    page.set_viewport_size({"width": 360, "height": 720})
    _to_security(page, "terms-link-01")
    fill_security(page)
    htmx_post(page, "/enroll/security")
    expect_step(page, "review")
    link = page.get_by_role("link", name="terms of use and privacy notice")
    expect(link).to_have_attribute("href", "/terms")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}review-360.png", full_page=True)
    with page.context.expect_page() as opened:
        link.focus()
        page.keyboard.press("Enter")
    terms = opened.value
    expect(terms.get_by_role("heading", name="Terms of use and privacy notice")).to_be_visible()
    expect(terms.get_by_text(f"Version {live_server.app.config['TERMS_VERSION']}.")) \
        .to_be_visible()
    if SHOTS:
        terms.set_viewport_size({"width": 360, "height": 720})
        terms.screenshot(path=f"{SHOTS}terms-360.png", full_page=True)
    assert_header_fits(terms, "terms at 360 px")
    page.watch.assert_clean()
