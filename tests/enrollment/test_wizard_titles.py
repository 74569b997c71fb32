"""One title for each page of the wizard, made from its heading (README, "Templates"):
the page and htmx's fragment carry the same <title>, which begins with the <h1>, and
says "Error: " first when the page shows errors."""
import re

from enrollment import drafts
from tests.browser import HX
from tests.outbox.conftest import enroll, smtp  # noqa: F401  (the SMTP fixture)
from tests.outbox.test_outbox_confirm import deliver_link
from tests.pages import titled_alike
from tests.wizard import GOOD, Patient
from tests.enrollment.flow_helpers import ORDER

# What each step refuses (the review step's buttons are "complete" and "appointment").
INVALID = {"practice": {}, "personal": {**GOOD["personal"], "first_name": ""},
           "insurance": {"carrier": "Acme Health"}, "credentials": {}, "security": {},
           "review": {}}


def _get(client, path):
    return lambda htmx: client.get(path, headers=HX if htmx else {})


def _post(patients, path, data):
    return lambda htmx: patients[htmx].post(path, data)


def test_every_step_and_its_error_state_has_one_title(client, practices):
    plain = Patient(client)
    patients = {False: plain, True: Patient(client, htmx=True)}
    plain.complete_through("security", practices["riverside-family"])
    plain.step("review", GOOD["review"], action="appointment")
    for path in [f"/enroll/{name}" for name in ORDER] + ["/enroll/appointment",
                                                         "/enroll/start-over"]:
        title = titled_alike(_get(client, path), path)
        assert re.search(r" – Step \d of 6 – Patient portal$|^[^–]+ – Patient portal$", title)
        assert not title.startswith("Error: "), path
    for name, data in INVALID.items():
        action = "complete" if name == "review" else "next"
        title = titled_alike(_post(patients, f"/enroll/{name}", {**data, "action": action}),
                             name)
        assert title.startswith("Error: "), name
    title = titled_alike(_post(patients, "/enroll/appointment", {"action": "next"}),
                         "appointment")
    assert title.startswith("Error: Request an appointment – ")

    assert plain.step("review", GOOD["review"], action="complete").status_code == 303
    assert titled_alike(_get(client, "/enroll/done")).startswith("Request submitted – ")


def test_start_over_and_resume_have_one_title(app, client, practices):
    def erased(htmx):
        patient = Patient(app.test_client(), htmx=htmx)
        patient.complete_through("practice", practices["hillcrest-internal"])
        return patient.post("/enroll/start-over", {})
    assert titled_alike(erased, "erased").startswith("Enrollment erased – ")

    patient = Patient(client)
    patient.complete_through("personal", practices["hillcrest-internal"])
    client.delete_cookie(drafts.VISIT_COOKIE, path="/enroll")   # the browser was closed
    patients = {False: Patient(client), True: Patient(client, htmx=True)}
    for who in patients.values():
        who.get("/enroll/resume")
    assert titled_alike(_get(client, "/enroll/resume")) == "Welcome back – Patient portal"
    wrong = {"date_of_birth": "1990-01-01"}
    assert (titled_alike(_post(patients, "/enroll/resume", wrong), "resume, wrong")
            == "Error: Welcome back – Patient portal")


def test_every_state_of_a_confirmation_link_has_one_title(app, client, practices, smtp):  # noqa: F811
    enroll(app, practices["hillcrest-internal"])
    path, _token = deliver_link(app, smtp)
    assert titled_alike(_get(client, path)) == "Confirm your email address – Patient portal"
    stale = titled_alike(lambda htmx: client.post(path, headers=HX if htmx else {}), "stale")
    assert stale == "Error: Confirm your email address – Patient portal"
    person = Patient(client)
    person.get(path)
    assert person.post(path, {}).status_code == 200   # confirmed
    assert titled_alike(_get(client, path), "used").startswith("This link has already")
    assert titled_alike(_get(client, "/enroll/confirm/" + "A" * 43), "unknown").startswith(
        "This link is not valid – ")
