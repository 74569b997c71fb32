"""The byte budget, measured in the browser: everything on the wire (request and response
headers and bodies, compressed as sent) for one whole enrollment with a cold cache."""
import pytest
from playwright.sync_api import expect

from tests.e2e.test_enrollment_browser import (consent, expect_step, fill_credentials,
                                               fill_personal, fill_security, htmx_post,
                                               label, not_a_robot)
from tests.wizard import GOOD

pytestmark = pytest.mark.e2e
WHOLE_ENROLLMENT = 60 * 1024
EACH_STEP_AFTER_THE_FIRST = 4 * 1024


def test_whole_enrollment_fits_the_byte_budget(js_page):
    page = js_page
    exchanges = []

    def finished(request):
        sizes = request.sizes()
        exchanges.append((request.method, request.url.split("/", 3)[-1],
                          sum(sizes[k] for k in ("requestHeadersSize", "requestBodySize",
                                                 "responseHeadersSize", "responseBodySize"))))

    page.on("requestfinished", finished)
    page.goto("/enroll/practice")
    label(page, "Practice").select_option(label="Hillcrest Internal Medicine")
    htmx_post(page, "/enroll/practice")
    expect_step(page, "personal")
    fill_personal(page, GOOD["personal"])
    htmx_post(page, "/enroll/personal")
    expect_step(page, "insurance")
    not_a_robot(page)
    htmx_post(page, "/enroll/insurance")
    expect_step(page, "credentials")
    fill_credentials(page, "budget-checker-01")
    htmx_post(page, "/enroll/credentials")
    expect_step(page, "security")
    fill_security(page)
    htmx_post(page, "/enroll/security")
    expect_step(page, "review")
    consent(page)
    htmx_post(page, "/enroll/review", "Complete enrollment")
    expect(page.locator("#main")).to_contain_text("approval is pending")
    page.wait_for_load_state("networkidle")
    for _ in range(50):   # "requestfinished" may come just after the response is used
        if sum(1 for m, u, _ in exchanges if m == "POST" and "/check/" not in u) >= 6:
            break
        page.wait_for_timeout(100)
    total = sum(size for _, _, size in exchanges)
    report = "\n".join(f"{m} /{u}: {s}" for m, u, s in exchanges)
    print(f"\nwhole enrollment on the wire: {total} bytes\n{report}")
    assert total <= WHOLE_ENROLLMENT, report
    steps = [(m, u, s) for m, u, s in exchanges if m == "POST" and "/check/" not in u]
    assert len(steps) == 6
    for _method, url, size in steps:
        assert size <= EACH_STEP_AFTER_THE_FIRST, (url, size)
