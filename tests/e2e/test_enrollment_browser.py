"""The whole enrollment in a real browser: with JavaScript (htmx fragments, pushed URLs,
focus, history) and without it (plain form posts, redirect-after-post)."""
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from enrollment import steps
from tests.e2e.conftest import ROBOT_FALLBACK_WAIT_MS
from tests.wizard import GOOD

pytestmark = pytest.mark.e2e

TOTAL = len(steps.STEPS)
PERSONAL_LABELS = {"first_name": "First name", "middle_name": "Middle name",
                   "last_name": "Last name", "street": "Street address",
                   "line2": "Apartment, suite, etc.", "city": "City", "zip_code": "ZIP code",
                   "phone": "Phone number", "date_of_birth": "Date of birth",
                   "email": "Email address"}
ENROLLMENT_PENDING = ("Your enrollment request has been submitted and approval is pending "
                      "from your practice.")
APPOINTMENT_PENDING = ("Your appointment request has been submitted and approval is pending "
                       "from your practice.")


def path_of(url: str) -> str:
    return urlsplit(url).path


# --- what a step looks like ---------------------------------------------------------------

def expect_step(page, name: str) -> None:
    step = steps.get(name)
    n = steps.number(step)
    expect(page).to_have_url(re.compile(rf"/enroll/{name}$"))
    expect(page.locator("#step-indicator")).to_have_text(f"Step {n} of {TOTAL}: {step.title}")
    expect(page).to_have_title(re.compile(rf"Step {n} of {TOTAL}"))


def documents(page) -> int:
    return sum(1 for r in page.watch.requests if r.resource_type == "document")


def mark_page(page) -> None:
    """A flag that survives htmx swaps and dies with any full page load."""
    page.evaluate("window.__e2eSamePage = true")


def expect_swapped_to(page, name: str, docs_before: int) -> None:
    """The step arrived as an htmx fragment: URL pushed, indicator right, focus on the
    heading, and the document was never reloaded."""
    expect_step(page, name)
    expect(page.locator("#page-heading")).to_be_focused()
    assert page.evaluate("window.__e2eSamePage === true"), "a full page load happened"
    assert documents(page) == docs_before, "a document was requested: not a fragment"


# --- driving the forms by their labels ------------------------------------------------------

def label(page, text):
    """The control labelled exactly `text` (optional fields add " (optional)")."""
    return page.get_by_label(re.compile("^" + re.escape(text) + r"( \(optional\))?$"))


def fill_personal(page, data: dict, skip=()) -> None:
    for key, text in PERSONAL_LABELS.items():
        if key not in skip:
            label(page, text).fill(data[key])
    label(page, "State").select_option(data["state"])


def fill_credentials(page, username: str) -> None:
    label(page, "Username").fill(username)
    label(page, "Password").fill(GOOD["credentials"]["password"])
    label(page, "Confirm password").fill(GOOD["credentials"]["confirm"])


def fill_security(page) -> None:
    data = GOOD["security"]
    for i in range(1, 6):
        label(page, f"Security question {i}").select_option(data[f"question_{i}"])
        label(page, f"Answer {i}").fill(data[f"answer_{i}"])


def consent(page) -> None:
    page.get_by_label(re.compile("terms of use and privacy notice")).check()
    page.get_by_label(re.compile("contact me by email")).check()


def not_a_robot(page, javascript: bool = True) -> None:
    """Tick the box: with JavaScript the page solves the proof of work; without it the
    server's fallback wants the page to be a moment old."""
    page.get_by_label("I'm not a robot", exact=True).check()
    if javascript:
        expect(page.locator("#human-check-status")).to_have_text("Verified")
        expect(page.locator("input[name=human_check_proof]")).not_to_have_value("")
    else:
        page.wait_for_timeout(ROBOT_FALLBACK_WAIT_MS)


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def htmx_post(page, path: str, name: str = "Next", status: int = 200):
    """Click a submit button and check the POST went out as an htmx request."""
    with page.expect_response(lambda r: r.request.method == "POST"
                              and path_of(r.url) == path) as info:
        button(page, name).click()
    resp = info.value
    assert resp.request.headers.get("hx-request") == "true", "not an htmx request"
    assert resp.status == status, (path, resp.status, resp.text()[:3000])
    return resp


def plain_post(page, path: str, name: str = "Next", redirect_to: str | None = None):
    """Click a submit button without JavaScript: an ordinary form post, then (when valid)
    a 303 to the next page."""
    with page.expect_request(lambda r: r.method == "POST" and path_of(r.url) == path) as info:
        button(page, name).click()
    page.wait_for_load_state()
    req = info.value
    assert "hx-request" not in req.headers
    if redirect_to is None:
        assert req.redirected_to is None
        return req.response()
    assert req.redirected_to is not None, "no redirect after post"
    assert req.response().status == 303
    assert path_of(req.redirected_to.url) == redirect_to
    return req.response()


def start(page) -> None:
    page.goto("/")
    page.get_by_role("link", name="Sign up for a new account").click()
    expect_step(page, "practice")


# --- the tests ------------------------------------------------------------------------------

def _personal_with_an_error(page, docs: int) -> None:
    """An invalid step: the same fragment with 422, the summary focused, values kept."""
    fill_personal(page, GOOD["personal"], skip=("first_name",))
    htmx_post(page, "/enroll/personal", status=422)
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter your first name.")
    expect(label(page, "First name")).to_have_attribute("aria-invalid", "true")
    expect(label(page, "Last name")).to_have_value("Delgado")
    expect(page).to_have_title(re.compile("^Error: "))
    expect_step(page, "personal")
    assert documents(page) == docs
    label(page, "First name").fill("Maria")
    htmx_post(page, "/enroll/personal")
    expect_swapped_to(page, "insurance", docs)


def _history_back_reload_forward(page) -> None:
    """Browser Back and reload show the right step with its values (as whole pages:
    steps are hx-history="false", so htmx reloads on a history miss)."""
    page.go_back()
    expect_step(page, "personal")
    expect(label(page, "First name")).to_have_value("Maria")
    expect(label(page, "City")).to_have_value("Springfield")
    expect(label(page, "State")).to_have_value("IL")
    expect(label(page, "Date of birth")).to_have_value("1984-03-09")
    page.reload()
    expect_step(page, "personal")
    expect(label(page, "Last name")).to_have_value("Delgado")
    expect(label(page, "Email address")).to_have_value("maria.d@example.org")
    page.go_forward()
    expect_step(page, "insurance")


def _insurance_to_review(page, docs: int) -> None:
    not_a_robot(page)
    htmx_post(page, "/enroll/insurance")
    expect_swapped_to(page, "credentials", docs)
    fill_credentials(page, GOOD["credentials"]["username"])
    htmx_post(page, "/enroll/credentials")
    expect_swapped_to(page, "security", docs)
    fill_security(page)
    htmx_post(page, "/enroll/security")
    expect_swapped_to(page, "review", docs)
    main = page.locator("#main")
    expect(main).to_contain_text("Riverside Family Medicine")
    expect(main).to_contain_text("Maria Delgado")
    expect(main).to_contain_text(GOOD["credentials"]["username"], ignore_case=True)
    expect(main).not_to_contain_text(GOOD["credentials"]["password"])
    expect(button(page, "Complete enrollment")).to_be_visible()


def _request_an_appointment(page) -> None:
    consent(page)
    resp = htmx_post(page, "/enroll/review", "Request an appointment")
    assert resp.headers.get("hx-push-url") == "/enroll/appointment"
    expect(page).to_have_url(re.compile(r"/enroll/appointment$"))
    expect(page.locator("#page-heading")).to_have_text("Request an appointment")
    expect(page.locator("#step-indicator")).to_have_text(f"Step {TOTAL} of {TOTAL}: "
                                                         f"{steps.get('review').title}")
    expect(page.locator("#page-heading")).to_be_focused()
    label(page, "Reason for visit").fill("Annual check-up and a prescription refill.")
    label(page, "Monday").check()
    label(page, "Morning").check()
    label(page, "Provider").select_option(label="Dr. Ana Ortiz")
    label(page, "Location").select_option(label="Main clinic")
    resp = htmx_post(page, "/enroll/appointment", "Send requests")
    assert resp.headers.get("hx-push-url") == "/enroll/done"
    expect(page).to_have_url(re.compile(r"/enroll/done$"))
    expect(page.get_by_role("status")).to_contain_text(APPOINTMENT_PENDING)
    expect(page.locator("#page-heading")).to_be_focused()


def test_enrollment_with_javascript_arrives_as_fragments(js_page):
    page = js_page
    start(page)
    mark_page(page)
    docs = documents(page)
    label(page, "Practice").select_option(label="Riverside Family Medicine")
    resp = htmx_post(page, "/enroll/practice")
    assert resp.headers.get("hx-push-url") == "/enroll/personal"
    assert "<html" not in resp.text().lower(), "a whole page came back for htmx"
    expect_swapped_to(page, "personal", docs)
    _personal_with_an_error(page, docs)

    _history_back_reload_forward(page)
    mark_page(page)
    docs = documents(page)
    _insurance_to_review(page, docs)
    _request_an_appointment(page)
    assert page.evaluate("window.__e2eSamePage === true"), "a full page load happened"
    assert documents(page) == docs

    for step in ("practice", "personal", "insurance", "credentials", "security", "review"):
        posts = page.watch.posts(f"/enroll/{step}")
        assert posts and all(r.headers.get("hx-request") == "true" for r in posts), step
    page.watch.assert_clean()


def test_enrollment_without_javascript_posts_and_redirects(nojs_page):
    page = nojs_page
    start(page)
    label(page, "Practice").select_option(label="Hillcrest Internal Medicine")
    plain_post(page, "/enroll/practice", redirect_to="/enroll/personal")
    expect_step(page, "personal")

    fill_personal(page, GOOD["personal"], skip=("first_name",))
    resp = plain_post(page, "/enroll/personal")
    assert resp.status == 422
    expect(page.locator("#error-summary")).to_contain_text("Enter your first name.")
    expect(label(page, "Last name")).to_have_value("Delgado")
    expect_step(page, "personal")

    label(page, "First name").fill("Maria")
    plain_post(page, "/enroll/personal", redirect_to="/enroll/insurance")
    expect_step(page, "insurance")
    not_a_robot(page, javascript=False)
    plain_post(page, "/enroll/insurance", redirect_to="/enroll/credentials")
    expect_step(page, "credentials")
    fill_credentials(page, "maria.hillcrest")
    plain_post(page, "/enroll/credentials", redirect_to="/enroll/security")
    expect_step(page, "security")
    fill_security(page)
    plain_post(page, "/enroll/security", redirect_to="/enroll/review")
    expect_step(page, "review")

    expect(page.locator("#main")).to_contain_text("Hillcrest Internal Medicine")
    expect(button(page, "Request an appointment")).to_have_count(0)
    consent(page)
    plain_post(page, "/enroll/review", "Complete enrollment", redirect_to="/enroll/done")
    expect(page).to_have_url(re.compile(r"/enroll/done$"))
    expect(page.get_by_role("status")).to_contain_text(ENROLLMENT_PENDING)
    expect(page.get_by_role("status")).not_to_contain_text("appointment")

    assert not any(r.headers.get("hx-request") for r in page.watch.requests)
    page.watch.assert_clean()


def test_live_username_and_password_check(js_page):
    page = js_page
    start(page)
    label(page, "Practice").select_option(label="Riverside Family Medicine")
    htmx_post(page, "/enroll/practice")
    expect_step(page, "personal")
    fill_personal(page, GOOD["personal"])
    htmx_post(page, "/enroll/personal")
    expect_step(page, "insurance")
    not_a_robot(page)
    htmx_post(page, "/enroll/insurance")
    expect_step(page, "credentials")

    live = page.locator("#username-live")
    expect(live).to_have_attribute("aria-live", "polite")
    username = label(page, "Username")
    expect(username).to_have_attribute("aria-describedby", re.compile("username-live"))
    username.fill("mar")
    expect(live).to_contain_text("Use 6 to 50 characters for your username.")
    username.fill("")
    typed = "maria.live84"
    before = len(page.watch.posts("/enroll/check/username"))
    username.press_sequentially(typed, delay=40)
    expect(live).to_contain_text("Username is available")
    checks = page.watch.posts("/enroll/check/username")[before:]
    assert 1 <= len(checks) < len(typed), "the live check is not debounced"

    password_live = page.locator("#password-live")
    label(page, "Password").fill("too short")
    expect(password_live).to_contain_text("Use at least 12 characters for your password.")
    label(page, "Password").fill("a quiet river at dawn")
    expect(password_live).to_contain_text("Password meets the policy.")

    for field in ("username", "password"):
        for r in page.watch.posts(f"/enroll/check/{field}"):
            assert urlsplit(r.url).query == "", "patient data in a URL"
            assert r.headers.get("hx-request") == "true"
    assert not any(path_of(r.url).startswith("/enroll/check") and r.method != "POST"
                   for r in page.watch.requests)
    page.watch.assert_clean()
