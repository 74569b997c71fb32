"""One template per step for page and fragment, the indicator and headers on every
response, Start over, and no skipping ahead by URL."""
from datetime import datetime

import pytest

from enrollment.models import Draft, EnrollmentRequest
from tests.pages import main_text, parse, title, visible_text
from tests.state import cookie, count, draft_of
from tests.wizard import GOOD, Patient
from tests.enrollment.flow_helpers import (ORDER, TITLES, assert_fragment,
                                           assert_page, flow_data, indicator, location)


# --- one template per step, the indicator, the headers -----------------------------------

def _every_page(app, client, practices):
    """Paths of every step (all reachable) plus the appointment form and start over."""
    patient = Patient(client)
    patient.complete_through("security", practices["riverside-family"])
    patient.step("review", GOOD["review"], action="appointment")
    return patient, [f"/enroll/{name}" for name in ORDER] + ["/enroll/appointment",
                                                            "/enroll/start-over"]


def test_every_step_page_and_fragment_come_from_one_template(app, client, practices):
    patient, paths = _every_page(app, client, practices)
    for path in paths:
        page = client.get(path)
        fragment = client.get(path, headers={"HX-Request": "true"})
        assert page.status_code == fragment.status_code == 200, path
        page_html, fragment_html = page.get_data(as_text=True), fragment.get_data(as_text=True)
        assert_page(page_html)
        assert_fragment(fragment_html)
        fragment_text = visible_text(fragment_html)
        assert len(fragment_text) > 40, path
        assert fragment_text in main_text(page_html), path
        assert title(fragment_html) == title(page_html), path
        name = path.rsplit("/", 1)[1]
        if name in TITLES:
            assert indicator(name) in fragment_text
            assert indicator(name) in main_text(page_html)
        for resp in (page, fragment):
            assert "no-store" in resp.headers["Cache-Control"]
            assert "HX-Request" in resp.headers.get("Vary", "")
        mains = [attrs for tag, attrs in parse(page_html).tags if tag == "main"]
        assert len(mains) == 1 and mains[0].get("data-hx-history") == "false", path


def test_boosted_requests_get_whole_pages(client, practices):
    resp = client.get("/enroll/practice", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert resp.status_code == 200
    assert_page(resp.get_data(as_text=True))


def test_indicator_and_headers_on_every_post_response(app, client, practices):
    patient = Patient(client, htmx=True)
    data = flow_data(practices["hillcrest-internal"])
    for name, following in zip(ORDER, ORDER[1:]):
        if name != "insurance":              # the one step where empty is valid
            invalid = patient.post(f"/enroll/{name}", {"action": "next"})
            assert invalid.status_code == 422, name
            assert indicator(name) in invalid.get_data(as_text=True)
            assert "There is a problem" in invalid.get_data(as_text=True)
            assert "no-store" in invalid.headers["Cache-Control"]
            assert "HX-Request" in invalid.headers["Vary"]
        resp = patient.step(name, data[name])
        assert resp.status_code == 200, name
        assert indicator(following) in resp.get_data(as_text=True)
        assert "no-store" in resp.headers["Cache-Control"]
        assert "HX-Request" in resp.headers["Vary"]


# --- Start over ------------------------------------------------------------------------

@pytest.mark.parametrize("htmx", [True, False])
def test_start_over_erases_the_draft_and_its_cookies(app, client, practices, htmx):
    patient = Patient(client, htmx=htmx)
    patient.complete_through("personal", practices["hillcrest-internal"])
    draft = draft_of(app, client)
    assert draft is not None and cookie(client, "enroll_visit")
    for name in ("practice", "personal", "insurance"):
        assert 'href="/enroll/start-over"' in patient.get(f"/enroll/{name}").get_data(
            as_text=True)

    asks = patient.get("/enroll/start-over")
    assert asks.status_code == 200
    assert "Erase and start over" in asks.get_data(as_text=True)
    assert count(app, Draft, Draft.id == draft.id) == 1     # asking erases nothing

    resp = patient.post("/enroll/start-over", {})
    assert resp.status_code == 200
    assert "Everything you entered has been erased." in resp.get_data(as_text=True)
    assert count(app, Draft, Draft.id == draft.id) == 0
    cleared = [h for h in resp.headers.getlist("Set-Cookie")
               if h.startswith(("enroll_draft=;", "enroll_visit=;"))]
    assert len(cleared) == 2 and all("Max-Age=0" in h for h in cleared)
    assert cookie(client, "enroll_draft") is None
    assert cookie(client, "enroll_visit") is None
    again = patient.get("/enroll/personal")
    assert location(again).endswith("/enroll/practice")


def test_start_over_needs_a_csrf_token(app, client, practices):
    patient = Patient(client)
    patient.complete_through("personal", practices["hillcrest-internal"])
    resp = client.post("/enroll/start-over", data={})
    assert resp.status_code == 400
    assert count(app, Draft) == 1


# --- no skipping ahead by URL ----------------------------------------------------------

@pytest.mark.parametrize("htmx", [True, False])
def test_a_later_step_redirects_to_the_first_incomplete_one(app, client, practices, htmx):
    patient = Patient(client, htmx=htmx)
    for path in ("/enroll/personal", "/enroll/review"):
        resp = patient.get(path)
        assert location(resp).endswith("/enroll/practice")
        assert resp.status_code == (204 if htmx else 303)

    patient.complete_through("personal", practices["hillcrest-internal"])
    for name in ("credentials", "security", "review"):
        resp = patient.get(f"/enroll/{name}")
        assert location(resp).endswith("/enroll/insurance"), name
        resp = patient.step(name, GOOD[name])
        assert location(resp).endswith("/enroll/insurance"), name
    draft = draft_of(app, client)
    assert draft.done == ["practice", "personal"]
    assert not {"credentials", "security", "review"} & set(draft.data)
    assert draft.password_hash is None
    assert count(app, EnrollmentRequest) == 0
    assert patient.get("/enroll/done").status_code in (204, 303)


def test_start_page_sends_the_patient_to_the_first_incomplete_step(client, practices):
    patient = Patient(client)
    assert location(patient.get("/enroll/")).endswith("/enroll/practice")
    patient.complete_through("insurance", practices["hillcrest-internal"])
    assert location(patient.get("/enroll/")).endswith("/enroll/credentials")


def test_an_unknown_step_name_is_a_clear_404(client):
    for resp in (client.get("/enroll/not-a-step"),
                 client.get("/enroll/not-a-step", headers={"HX-Request": "true"})):
        assert resp.status_code == 404
        assert "There is no such step" in resp.get_data(as_text=True)


def test_after_submission_steps_lead_to_the_done_page(app, client, practices):
    patient = Patient(client)
    patient.complete_through("review", practices["hillcrest-internal"])
    for name in ("practice", "credentials", "review"):
        assert location(patient.get(f"/enroll/{name}")).endswith("/enroll/done")
    assert location(patient.get("/enroll/")).endswith("/enroll/done")
    assert isinstance(draft_of(app, client).submitted_at, datetime)
