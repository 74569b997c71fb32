"""Issue 14, item 1: Edit from the review page comes back to the review page.

A valid save from an Edit lands on the review page with the change shown and a short
"Saved" message, with and without JavaScript (two clicks: Edit, Save).  A change of
name or practice asks for the password again: the patient goes to that step, which
says why in one sentence (never a bare "Enter a password"), and then returns to the
review page.  Cancel goes back to the review page and saves nothing."""
import pytest

from tests.enrollment.flow_helpers import location
from tests.limits.conftest import pass_human_check, robot_on
from tests.wizard import GOOD, Patient, read_page

NAME_REASON = ("Your name changed, so choose your password again: it must not contain "
               "your name.")
PRACTICE_REASON = ("Your practice changed, so choose your password again: it must not "
                   "contain the practice name.")
EDIT = "/enroll/{}?from=review"


def at_review(client, practices, htmx):
    patient = Patient(client, htmx=htmx)
    patient.complete_through("security", practices["riverside-family"])
    assert "Edit" in patient.get("/enroll/review").get_data(as_text=True)
    return patient


def save(patient, name, data):
    return patient.post(EDIT.format(name), {**data, "action": "next"})


def landed(patient, resp) -> tuple[str, str]:
    """(the URL the patient is on now, the page they see) after a post."""
    if patient.htmx:
        assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
        return resp.headers["HX-Push-Url"], resp.get_data(as_text=True)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    url = location(resp)
    return url, patient.get(url).get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_a_street_is_corrected_with_edit_and_save(app, client, practices, htmx):
    patient = at_review(client, practices, htmx)
    review = patient.get("/enroll/review").get_data(as_text=True)
    assert 'href="/enroll/personal?from=review"' in review          # click 1: Edit
    edit = patient.get(EDIT.format("personal")).get_data(as_text=True)
    assert 'action="/enroll/personal?from=review"' in edit
    assert ">Save</button>" in edit and ">Cancel</button>" in edit
    resp = save(patient, "personal", {**GOOD["personal"], "street": "14 Oak Avenue"})
    url, page = landed(patient, resp)                                 # click 2: Save
    assert url.startswith("/enroll/review")
    texts = read_page(page).texts
    assert texts["saved"].strip() == "Saved your changes to Personal information."
    assert "14 Oak Avenue" in page and "12 Elm Street" not in page
    # Nothing else was asked again: the review page can be submitted at once.
    done = patient.step("review")
    assert location(done).endswith("/enroll/done") if not htmx else \
        done.headers["HX-Push-Url"].endswith("/enroll/done")


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_a_new_middle_name_asks_for_the_password_saying_why(app, client, practices, htmx):
    patient = at_review(client, practices, htmx)
    resp = save(patient, "personal", {**GOOD["personal"], "middle_name": "Luisa"})
    url, page = landed(patient, resp)
    assert url == EDIT.format("credentials")
    assert NAME_REASON in page and 'action="/enroll/credentials?from=review"' in page
    # Save without a password: the sentence says why, never a bare "Enter a password."
    blank = {**GOOD["credentials"], "password": "", "confirm": ""}
    refused = save(patient, "credentials", blank)
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert NAME_REASON in body and "Enter a password." not in body
    resp = save(patient, "credentials", GOOD["credentials"])
    url, page = landed(patient, resp)
    assert url.startswith("/enroll/review")
    assert "Maria Luisa Delgado" in page and NAME_REASON not in page
    assert "Saved your changes to Account credentials." in page


def test_a_new_practice_says_why_too(app, client, practices):
    patient = at_review(client, practices, False)
    other = practices["hillcrest-internal"]
    url, page = landed(patient, save(patient, "practice", {"practice": str(other)}))
    assert url == EDIT.format("credentials") and PRACTICE_REASON in page


def test_an_unchanged_name_keeps_the_password(app, client, practices):
    patient = at_review(client, practices, False)
    url, page = landed(patient, save(patient, "personal", GOOD["personal"]))
    assert url.startswith("/enroll/review") and "Saved your changes" in page


def test_an_invalid_save_stays_on_the_step_still_editing(app, client, practices):
    patient = at_review(client, practices, False)
    resp = save(patient, "personal", {**GOOD["personal"], "street": ""})
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert 'action="/enroll/personal?from=review"' in body and ">Save</button>" in body


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_cancel_goes_back_to_review_and_saves_nothing(app, client, practices, htmx):
    patient = at_review(client, practices, htmx)
    resp = patient.post(EDIT.format("personal"), {**GOOD["personal"], "street": "1 Nowhere",
                                                  "action": "back"})
    url, page = landed(patient, resp)
    assert url.startswith("/enroll/review")
    assert "12 Elm Street" in page and "1 Nowhere" not in page and "Saved" not in page


def test_the_wizard_walks_forward_without_an_edit(app, client, practices):
    """Next outside an Edit still goes to the following step."""
    patient = at_review(client, practices, False)
    resp = patient.step("personal", {**GOOD["personal"], "street": "14 Oak Avenue"})
    assert location(resp).endswith("/enroll/insurance")


def test_insurance_edit_does_not_ask_the_human_check_again(app, client, practices,
                                                           monkeypatch):
    robot_on(app, monkeypatch)
    patient = Patient(client)
    patient.complete_through("personal", practices["riverside-family"])
    pass_human_check(patient)
    for name in ("credentials", "security"):
        patient.step(name)
    edit = patient.get(EDIT.format("insurance")).get_data(as_text=True)
    assert 'name="human_check"' not in edit
    url, page = landed(patient, save(patient, "insurance", {}))
    assert url.startswith("/enroll/review") and "Saved your changes" in page
