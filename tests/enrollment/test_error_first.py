"""Issue 14, item 5: without JavaScript an error is the first thing seen.  On a 422 the
error summary is the first thing in the main content, above long content such as the
review sections (tests/e2e/test_patient_journey_browser.py looks at it at 360 x 740)."""
import re

import pytest

from tests.wizard import GOOD, Patient

FIRST_IN_MAIN = re.compile(r'<main id="main"[^>]*>\s*<div class="summary" id="error-summary"')
FIRST_IN_FRAGMENT = re.compile(r'^(<title>.*?</title>)?\s*<div class="summary" id="error-summary"',
                               re.S)

WRONG = {"practice": {"practice": ""},
         "personal": {**GOOD["personal"], "street": "", "phone": "12"},
         "insurance": {"carrier": "Acme Health"},
         "credentials": {**GOOD["credentials"], "confirm": "something else entirely"},
         "security": {**GOOD["security"], "answer_2": ""},
         "review": {"terms": "y"}}
BEFORE = {"practice": None, "personal": "practice", "insurance": "personal",
          "credentials": "insurance", "security": "credentials", "review": "security"}


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
@pytest.mark.parametrize("step", list(WRONG))
def test_the_summary_comes_first_on_a_422(client, practices, step, htmx):
    patient = Patient(client, htmx=htmx)
    if BEFORE[step]:
        patient.complete_through(BEFORE[step], practices["riverside-family"])
    resp = patient.step(step, WRONG[step])
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    pattern = FIRST_IN_FRAGMENT if htmx else FIRST_IN_MAIN
    assert pattern.search(html), html[html.find("<main"):][:600] if not htmx else html[:600]
    if step == "review":   # above the long review sections
        assert html.index('id="error-summary"') < html.index('class="review"')
