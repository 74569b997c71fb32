"""Issue 14, item 2 in a real browser without JavaScript: "I'm not a robot" ticked and
Next selected at once says how many seconds to wait and keeps the box ticked; doing
what it says goes on; Back to the step shows a note, never the box again."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_enrollment_browser import (button, expect_step, fill_personal, label,
                                               plain_post, start)
from tests.wizard import GOOD

pytestmark = pytest.mark.e2e


def test_too_soon_then_as_told_then_never_again(nojs_page, live_server, monkeypatch):
    # Long enough that "at once" is too soon even on a loaded machine.
    monkeypatch.setitem(live_server.app.config, "HUMAN_CHECK_FALLBACK_MIN_SECONDS", 6)
    page = nojs_page
    start(page)
    label(page, "Practice").select_option(label="Riverside Family Medicine")
    plain_post(page, "/enroll/practice", redirect_to="/enroll/personal")
    fill_personal(page, GOOD["personal"])
    plain_post(page, "/enroll/personal", redirect_to="/enroll/insurance")
    box = page.get_by_label("I'm not a robot", exact=True)
    box.check()
    resp = plain_post(page, "/enroll/insurance")          # at once: too soon
    assert resp.status == 422
    message = page.locator("#human_check-error")
    expect(message).to_contain_text(re.compile(r"Wait \d+ more seconds?, then select Next\."))
    seconds = int(re.search(r"Wait (\d+)", message.inner_text()).group(1))
    expect(page.get_by_label("I'm not a robot", exact=True)).to_be_checked()
    page.wait_for_timeout(seconds * 1000 + 100)           # as the message says
    plain_post(page, "/enroll/insurance", redirect_to="/enroll/credentials")
    expect_step(page, "credentials")
    plain_post(page, "/enroll/credentials", "Back", redirect_to="/enroll/insurance")
    expect(page.locator("#human-check-done")).to_have_text(
        "You've already confirmed you're not a robot.")
    expect(page.get_by_label("I'm not a robot", exact=True)).to_have_count(0)
    plain_post(page, "/enroll/insurance", redirect_to="/enroll/credentials")
    expect(button(page, "Next")).to_be_visible()
    page.watch.assert_clean()
