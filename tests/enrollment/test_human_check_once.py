"""Issue 14, item 2: "I'm not a robot" is asked once per sign-up.  Once a draft passed,
Back and Edit show a note instead of the box for the draft's life; without JavaScript a
post that came too soon says how many seconds are left and keeps the box ticked with
the same token, so doing what it says works the second time."""
import time

import pytest
import sqlalchemy as sa

from enrollment.models import Draft
from extensions import db
from tests.limits.conftest import pass_human_check, proof, robot_on
from tests.wizard import Patient, read_page

NOTE = "You've already confirmed you're not a robot."


@pytest.fixture
def checked(app, monkeypatch):
    robot_on(app, monkeypatch)
    return app


def the_draft(app) -> Draft:
    with app.app_context():
        return db.session.execute(sa.select(Draft).execution_options(
            populate_existing=True)).scalar_one()


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_back_and_edit_never_ask_again(app, client, practices, checked, htmx):
    patient = Patient(client, htmx=htmx)
    patient.complete_through("personal", practices["riverside-family"])
    if htmx:
        _pass_over_htmx(patient)
    else:
        pass_human_check(patient)
    assert the_draft(app).human_checked_at is not None
    back = patient.step("credentials", action="back")          # Back to insurance
    page = patient.get("/enroll/insurance").get_data(as_text=True) if not htmx else \
        back.get_data(as_text=True)
    assert NOTE in page and 'name="human_check"' not in page
    assert patient.step("insurance", {}).status_code in (200, 303)   # no check posted
    for name in ("credentials", "security"):
        assert patient.step(name).status_code in (200, 303)
    edit = patient.get("/enroll/insurance").get_data(as_text=True)   # Edit from review
    assert NOTE in edit and "data-challenge" not in edit
    insured = {"carrier": "Acme Health", "member_id": "XJ1234", "group_number": "",
               "subscriber_name": "Maria Delgado", "relationship": "self",
               "claim_street": "PO Box 1", "claim_line2": "", "claim_city": "Austin",
               "claim_state": "TX", "claim_zip": "73301"}
    assert patient.step("insurance", insured).status_code in (200, 303)


def _pass_over_htmx(patient):
    page = patient.get("/enroll/insurance").get_data(as_text=True)
    resp = patient.step("insurance", {"human_check_proof": proof(page), "human_check": "y"})
    assert resp.status_code == 200 and resp.headers["HX-Push-Url"].endswith("/credentials")


def test_another_draft_is_asked(app, client, practices, checked):
    first = Patient(client)
    first.complete_through("personal", practices["riverside-family"])
    pass_human_check(first)
    second = Patient(app.test_client())
    second.complete_through("personal", practices["riverside-family"])
    page = second.get("/enroll/insurance").get_data(as_text=True)
    assert 'name="human_check"' in page and NOTE not in page
    assert second.step("insurance", {}).status_code == 422


def test_too_soon_without_javascript_says_how_long_and_keeps_the_box(
        app, client, practices, checked, monkeypatch):
    """No JavaScript: the ticked box and the page's token only.  Too soon: "wait N more
    seconds", 422, the box still ticked and the same token; doing just that (waiting,
    then Next with the page as it is) goes on."""
    monkeypatch.setitem(app.config, "HUMAN_CHECK_FALLBACK_MIN_SECONDS", 2)
    patient = Patient(client)
    patient.complete_through("personal", practices["riverside-family"])
    first = read_page(patient.get("/enroll/insurance").get_data(as_text=True)).values
    token = first["human_check_token"]
    sent = {k: v for k, v in first.items() if k not in ("csrf_token",)}
    too_soon = patient.step("insurance", {**sent, "human_check": "y"})
    html = too_soon.get_data(as_text=True)
    assert too_soon.status_code == 422
    page = read_page(html)
    said = [int(w) for w in page.texts["human_check-error"].split() if w.isdigit()]
    assert said and 1 <= said[0] <= 2
    assert f"Wait {said[0]} more second" in html and "then select Next" in html
    assert page.values["human_check"] == ["y"]             # still ticked
    assert page.values["human_check_token"] == token       # the same token, not used up
    time.sleep(said[0])
    again = {k: v for k, v in page.values.items() if k != "csrf_token"}
    resp = patient.step("insurance", again)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/credentials")


def test_too_soon_over_htmx_also_says_how_long(app, client, practices, checked,
                                               monkeypatch):
    """JavaScript on but no Web Crypto (plain HTTP): the same fallback, as a fragment."""
    monkeypatch.setitem(app.config, "HUMAN_CHECK_FALLBACK_MIN_SECONDS", 30)
    patient = Patient(client, htmx=True)
    patient.complete_through("personal", practices["riverside-family"])
    page = read_page(patient.get("/enroll/insurance").get_data(as_text=True))
    resp = patient.step("insurance", {"human_check": "y",
                                      "human_check_token": page.values["human_check_token"]})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "<html" not in html
    assert "more seconds, then select Next" in html and " checked " in html
