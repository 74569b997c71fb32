"""The terms of use and privacy notice the patient agrees to: a link on the review step,
to the practice's own page (its URL and version, set on the dashboard's settings page,
audited) or, by default, to the portal's built-in page (TERMS_VERSION); the URL and the
version are recorded with each consent."""
import re

import pytest

from enrollment.models import EnrollmentRequest
from tests.admin.test_settings import actions, admin, at_review, practice, save  # noqa: F401
from tests.pages import visible_text
from tests.state import all_rows
from tests.wizard import GOOD

LINK = re.compile(r'<a href="([^"]+)" target="_blank" rel="noopener">terms of use and '
                  r'privacy notice</a> \(version ([^;]+); opens in a new tab\)')


def _submit(patient):
    resp = patient.step("review", GOOD["review"], action="complete")
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]


def test_by_default_the_built_in_page_and_its_version(app, client, practices):
    patient = at_review(app, practices)
    html = patient.get("/enroll/review").get_data(as_text=True)
    assert LINK.search(html).groups() == ("/terms", app.config["TERMS_VERSION"])
    # The link's sentence describes the checkbox (a screen reader hears it with the box).
    box = re.search(r'<input[^>]*id="terms"[^>]*>', html).group(0)
    assert 'aria-describedby="terms-hint"' in box
    assert LINK.search(re.search(r'<p class="hint" id="terms-hint">(.*?)</p>', html).group(1))
    page = client.get("/terms")
    assert page.status_code == 200
    text = visible_text(page.get_data(as_text=True))
    assert "Terms of use and privacy notice" in text
    assert f"Version {app.config['TERMS_VERSION']}." in text
    _submit(patient)
    [req] = all_rows(app, EnrollmentRequest)
    assert (req.terms_url, req.terms_version) == ("/terms", app.config["TERMS_VERSION"])


def test_a_practice_s_own_page_is_linked_and_recorded(app, practices, admin):  # noqa: F811
    resp = save(admin, terms_url="https://riverside.example/privacy",
                terms_version="v7 2026")
    assert resp.status_code == 303
    assert (practice(app).terms_url, practice(app).terms_version) == (
        "https://riverside.example/privacy", "v7 2026")
    assert ("settings_changed", "terms_url") in actions(app)
    assert ("settings_changed", "terms_version") in actions(app)
    patient = at_review(app, practices)
    html = patient.get("/enroll/review").get_data(as_text=True)
    assert LINK.search(html).groups() == ("https://riverside.example/privacy", "v7 2026")
    _submit(patient)
    [req] = all_rows(app, EnrollmentRequest)
    assert (req.terms_url, req.terms_version) == ("https://riverside.example/privacy",
                                                  "v7 2026")
    # Back to the built-in page: the URL left blank (its version goes with it).
    assert save(admin, terms_url="", terms_version="v7 2026").status_code == 303
    assert (practice(app).terms_url, practice(app).terms_version) == ("", "")


@pytest.mark.parametrize("url, version, field, message", [
    ("javascript:alert(1)", "1", "terms_url", "Enter a web address like"),
    ("riverside.example/privacy", "1", "terms_url", "Enter a web address like"),
    ("https://riverside.example/privacy", "", "terms_version", "Enter the version of"),
    ("https://riverside.example/" + "p" * 500, "1", "terms_url", "Use 500 characters"),
])
def test_a_bad_address_or_no_version_is_refused(app, practices, admin, url, version,  # noqa: F811
                                                 field, message):
    resp = save(admin, terms_url=url, terms_version=version)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert message in re.search(rf'id="{field}-error">(.*?)</p>', html, re.S).group(1)
    assert practice(app).terms_url == ""
