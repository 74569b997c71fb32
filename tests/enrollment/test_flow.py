"""The whole wizard through the test client: as htmx requests and as plain posts, at a
practice with the appointment module and at one without; Back."""
import json
from datetime import date, timedelta

import pytest
from argon2 import PasswordHasher

from enrollment.models import (AppointmentRequest, EnrollmentRequest, Location,
                               PatientAccount, Provider, SecurityAnswer, utcnow)
from enrollment.policy import normalise_answer
from tests.pages import field_value
from tests.state import all_rows, count, draft_of
from tests.wizard import GOOD, Patient
from tests.enrollment.flow_helpers import (APPOINTMENT_PENDING, ORDER, PENDING, assert_fragment,
                                           assert_page, flow_data, indicator, location)


# --- the whole flow --------------------------------------------------------------------

@pytest.mark.parametrize("slug", ["riverside-family", "hillcrest-internal"])
def test_whole_flow_as_htmx_swaps_fragments_and_pushes_urls(app, client, practices, slug):
    patient = Patient(client, htmx=True)
    first = patient.get("/enroll/practice")
    assert first.status_code == 200
    assert_fragment(first.get_data(as_text=True))
    data = flow_data(practices[slug])
    for name, following in zip(ORDER, ORDER[1:]):
        resp = patient.step(name, data[name])
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200, (name, html[:2000])
        assert resp.headers["HX-Push-Url"] == f"/enroll/{following}"
        assert_fragment(html)
        assert indicator(following) in html
        assert f'action="/enroll/{following}"' in html
    resp = patient.step("review", {**GOOD["review"]}, action="complete")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert resp.headers["HX-Push-Url"] == "/enroll/done"
    assert_fragment(html)
    assert PENDING in html
    assert count(app, EnrollmentRequest) == 1
    assert count(app, AppointmentRequest) == 0


@pytest.mark.parametrize("slug", ["riverside-family", "hillcrest-internal"])
def test_whole_flow_as_plain_posts_redirects_after_each_post(app, client, practices, slug):
    patient = Patient(client)
    data = flow_data(practices[slug])
    for name, following in zip(ORDER, ORDER[1:]):
        resp = patient.step(name, data[name])
        assert resp.status_code == 303, (name, resp.get_data(as_text=True)[:2000])
        assert resp.headers["Location"].endswith(f"/enroll/{following}")
        assert "HX-Push-Url" not in resp.headers
        page = patient.get(location(resp))
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert_page(html)
        assert indicator(following) in html
    resp = patient.step("review", {**GOOD["review"]}, action="complete")
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/enroll/done")
    done = patient.get("/enroll/done")
    assert done.status_code == 200
    assert PENDING in done.get_data(as_text=True)
    assert count(app, EnrollmentRequest) == 1


def test_submission_stores_an_inactive_account_and_a_pending_request(app, client, practices):
    practice_id = practices["hillcrest-internal"]
    before = utcnow() - timedelta(seconds=5)
    Patient(client).complete_through("review", practice_id)

    (account,) = all_rows(app, PatientAccount)
    assert account.username == "mariad84"           # typed "MariaD84"
    assert account.active is False
    assert account.practice_id == practice_id
    assert account.password_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(account.password_hash, GOOD["credentials"]["password"])

    answers = sorted(all_rows(app, SecurityAnswer), key=lambda a: a.position)
    assert len(answers) == 5
    assert {a.account_id for a in answers} == {account.id}
    security = GOOD["security"]
    for i, answer in enumerate(answers, start=1):
        assert answer.question == security[f"question_{i}"]
        assert answer.answer_hash.startswith("$argon2id$")
        assert security[f"answer_{i}"] not in answer.answer_hash
        assert PasswordHasher().verify(answer.answer_hash,
                                       normalise_answer(security[f"answer_{i}"]))

    (request,) = all_rows(app, EnrollmentRequest)
    assert request.status == "pending"
    assert request.account_id == account.id
    assert request.practice_id == practice_id
    assert (request.first_name, request.last_name) == ("Maria", "Delgado")
    assert request.phone == "+12175550199"
    assert request.email == "maria.d@example.org"
    assert request.date_of_birth == date(1984, 3, 9)
    assert request.terms_version == app.config["TERMS_VERSION"]
    assert before <= request.terms_accepted_at <= utcnow()
    assert before <= request.email_consent_at <= utcnow()
    assert request.insurance_carrier == "" and request.insurance_member_id == ""


def test_after_submission_the_draft_holds_nothing_personal(app, client, practices):
    Patient(client).complete_through("review", practices["riverside-family"])
    draft = draft_of(app, client)
    assert draft is not None and draft.submitted_at is not None
    assert draft.password_hash is None
    assert draft.clean == {}
    stored = json.dumps(draft.data) + json.dumps(draft.clean)
    for secret in ("Maria", "Delgado", "Elm", "0199", "1984", "maria.d@", "ariad84",
                   "horse", "Biscuit", "Tucson"):
        assert secret not in stored


# --- the appointment module -------------------------------------------------------------

@pytest.mark.parametrize("htmx", [True, False])
def test_appointment_practice_offers_and_creates_an_appointment_request(app, client,
                                                                        practices, htmx):
    patient = Patient(client, htmx=htmx)
    patient.complete_through("security", practices["riverside-family"])
    review = patient.get("/enroll/review").get_data(as_text=True)
    assert "Complete enrollment" in review
    assert "Request an appointment" in review

    resp = patient.step("review", GOOD["review"], action="appointment")
    if htmx:
        assert resp.status_code == 200
        assert resp.headers["HX-Push-Url"] == "/enroll/appointment"
        form_html = resp.get_data(as_text=True)
        assert_fragment(form_html)
    else:
        assert resp.status_code == 303
        assert resp.headers["Location"].endswith("/enroll/appointment")
        form_html = patient.get("/enroll/appointment").get_data(as_text=True)
    assert count(app, EnrollmentRequest) == 0      # nothing sent before the form
    providers = {p.name: p.id for p in all_rows(app, Provider)
                 if p.practice_id == practices["riverside-family"]}
    locations = {loc.name: loc.id for loc in all_rows(app, Location)
                 if loc.practice_id == practices["riverside-family"]}
    assert len(providers) >= 1 and len(locations) >= 1
    for name, ident in [*providers.items(), *locations.items()]:
        assert name in form_html
        assert f'value="{ident}"' in form_html

    provider_id, location_id = providers["Dr. Samuel Lee"], locations["Westside office"]
    resp = patient.post("/enroll/appointment", {
        "reason": "Annual physical", "days": ["mon", "wed"], "times": "morning",
        "provider": str(provider_id), "location": str(location_id)})
    if htmx:
        assert resp.status_code == 200
        assert resp.headers["HX-Push-Url"] == "/enroll/done"
        done = resp.get_data(as_text=True)
    else:
        assert resp.status_code == 303
        done = patient.get("/enroll/done").get_data(as_text=True)
    assert APPOINTMENT_PENDING in done

    (request,) = all_rows(app, EnrollmentRequest)
    (appointment,) = all_rows(app, AppointmentRequest)
    assert appointment.enrollment_id == request.id
    assert appointment.practice_id == request.practice_id == practices["riverside-family"]
    assert appointment.reason == "Annual physical"
    assert appointment.preferred_days.split(",") == ["mon", "wed"]
    assert appointment.preferred_times == "morning"
    assert (appointment.provider_id, appointment.location_id) == (provider_id, location_id)
    assert appointment.status == request.status == "pending"


def test_practice_without_appointments_never_offers_one(app, client, practices):
    patient = Patient(client)
    patient.complete_through("security", practices["hillcrest-internal"])
    review = patient.get("/enroll/review").get_data(as_text=True)
    assert "Complete enrollment" in review
    assert "Request an appointment" not in review
    assert 'value="appointment"' not in review

    away = patient.get("/enroll/appointment")
    assert away.status_code == 303
    assert not location(away).endswith("/enroll/appointment")
    assert count(app, EnrollmentRequest) == 0

    # A hand-made post of the appointment button still just completes the enrollment.
    resp = patient.step("review", GOOD["review"], action="appointment")
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/enroll/done")
    done = patient.get("/enroll/done").get_data(as_text=True)
    assert PENDING in done
    assert APPOINTMENT_PENDING not in done
    assert count(app, EnrollmentRequest) == 1
    assert count(app, AppointmentRequest) == 0
    assert patient.get("/enroll/appointment").status_code == 303


def test_appointment_form_needs_a_reason_and_refuses_foreign_providers(app, client,
                                                                       practices):
    patient = Patient(client)
    patient.complete_through("security", practices["riverside-family"])
    patient.step("review", GOOD["review"], action="appointment")
    foreign = next(p for p in all_rows(app, Provider)
                   if p.practice_id == practices["hillcrest-internal"])
    no_reason = patient.post("/enroll/appointment", {"reason": "", "days": "mon"})
    assert no_reason.status_code == 422
    assert "Tell the practice why you want to visit." in no_reason.get_data(as_text=True)
    foreign_provider = patient.post("/enroll/appointment", {"reason": "Check-up",
                                                            "provider": str(foreign.id)})
    assert foreign_provider.status_code == 422
    assert field_value(foreign_provider.get_data(as_text=True), "reason") == "Check-up"
    assert count(app, EnrollmentRequest) == 0
    assert count(app, AppointmentRequest) == 0


@pytest.mark.parametrize("htmx", [True, False])
def test_back_from_the_appointment_form_returns_to_review(app, client, practices, htmx):
    patient = Patient(client, htmx=htmx)
    patient.complete_through("security", practices["riverside-family"])
    patient.step("review", GOOD["review"], action="appointment")
    resp = patient.post("/enroll/appointment", {"reason": "Knee pain", "action": "back"})
    if htmx:
        assert resp.status_code == 200
        assert resp.headers["HX-Push-Url"] == "/enroll/review"
        assert indicator("review") in resp.get_data(as_text=True)
    else:
        assert resp.status_code == 303
        assert resp.headers["Location"].endswith("/enroll/review")
    assert count(app, EnrollmentRequest) == 0
    assert draft_of(app, client).submitted_at is None


# --- Back -------------------------------------------------------------------------------

@pytest.mark.parametrize("htmx", [True, False])
def test_back_saves_what_was_typed_without_validating(app, client, practices, htmx):
    patient = Patient(client, htmx=htmx)
    patient.complete_through("practice", practices["hillcrest-internal"])
    typed = {**GOOD["personal"], "email": "not an email", "date_of_birth": "2099-13-45",
             "zip_code": "ABCDE"}
    resp = patient.step("personal", typed, action="back")
    if htmx:
        assert resp.status_code == 200
        assert resp.headers["HX-Push-Url"] == "/enroll/practice"
        assert indicator("practice") in resp.get_data(as_text=True)
    else:
        assert resp.status_code == 303
        assert resp.headers["Location"].endswith("/enroll/practice")
    draft = draft_of(app, client)
    assert draft.data["personal"]["email"] == ["not an email"]
    assert "personal" not in draft.done
    assert "personal" not in draft.clean

    again = patient.get("/enroll/personal").get_data(as_text=True)
    assert field_value(again, "email") == "not an email"
    assert field_value(again, "date_of_birth") == "2099-13-45"
    assert field_value(again, "zip_code") == "ABCDE"
    assert field_value(again, "first_name") == "Maria"
    assert "There is a problem" not in again      # shown, not judged


def test_back_never_saves_passwords_or_answers(app, client, practices):
    patient = Patient(client)
    patient.complete_through("insurance", practices["hillcrest-internal"])
    resp = patient.step("credentials", GOOD["credentials"], action="back")
    assert resp.status_code == 303
    draft = draft_of(app, client)
    assert draft.data["credentials"] == {"username": ["MariaD84"]}
    assert draft.password_hash is None
    page = patient.get("/enroll/credentials").get_data(as_text=True)
    assert field_value(page, "username") == "MariaD84"
    assert GOOD["credentials"]["password"] not in page

    patient.step("credentials", GOOD["credentials"])
    resp = patient.step("security", GOOD["security"], action="back")
    assert resp.status_code == 303
    draft = draft_of(app, client)
    saved = draft.data["security"]
    assert not any(key.startswith("answer_") for key in saved)
    assert saved["question_1"] == ["first_school"]
    stored = json.dumps(draft.data) + json.dumps(draft.clean)
    for i in range(1, 6):
        assert GOOD["security"][f"answer_{i}"] not in stored
    page = patient.get("/enroll/security").get_data(as_text=True)
    assert "Lincoln Elementary" not in page
    assert GOOD["credentials"]["password"] not in stored


def test_back_with_changes_on_a_completed_step_marks_it_incomplete(app, client, practices):
    patient = Patient(client)
    patient.complete_through("insurance", practices["hillcrest-internal"])
    assert "personal" in draft_of(app, client).done

    # Unchanged values: Back keeps the step complete.
    patient.step("personal", GOOD["personal"], action="back")
    assert "personal" in draft_of(app, client).done

    patient.step("personal", {**GOOD["personal"], "city": "Shelbyville"}, action="back")
    draft = draft_of(app, client)
    assert "personal" not in draft.done
    assert draft.data["personal"]["city"] == ["Shelbyville"]
    resp = patient.get("/enroll/credentials")
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/enroll/personal")
    assert field_value(patient.get("/enroll/personal").get_data(as_text=True),
                       "city") == "Shelbyville"
