"""The review step's and the appointment request's validation, as in
test_steps_validation.py: valid input advances; each rule broken gives 422 with the
error beside the field and in the summary; plain and htmx posts."""
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa

from enrollment.models import AppointmentRequest, EnrollmentRequest, Practice, Provider
from extensions import db
from tests.wizard import GOOD, read_page
from tests.enrollment.validation_helpers import (RIVERSIDE, HILLCREST, PASSWORD, MODES,
    DROP, SHOWS, body, patient_at, with_changes, assert_advanced, assert_rejected,
    draft_of, provider_and_location)


# --- Review ------------------------------------------------------------------------------

@MODES
@pytest.mark.parametrize("slug", [RIVERSIDE, HILLCREST])
def test_review_complete_advances(app, client, practices, htmx, slug):
    patient = patient_at(client, practices, "review", htmx, practice=slug)
    resp = patient.step("review", GOOD["review"], action="complete")
    if htmx:
        assert resp.status_code == 200 and resp.headers["HX-Push-Url"] == "/enroll/done"
        assert SHOWS["done"] in body(resp) and "<html" not in body(resp).lower()
    else:
        assert resp.status_code == 303
        assert urlparse(resp.headers["Location"]).path == "/enroll/done"
    with app.app_context():
        request = db.session.execute(sa.select(EnrollmentRequest)).scalar_one()
        assert request.practice_id == practices[slug] and request.status == "pending"
        assert request.terms_version == app.config["TERMS_VERSION"]
        assert request.phone == "+12175550199"


REVIEW_RULES = [
    ("terms", {"terms": DROP}, "Agree to the terms of use and privacy notice to continue."),
    ("terms", {"terms": ""}, "Agree to the terms of use and privacy notice to continue."),
    ("terms", {"terms": "false"}, "Agree to the terms of use and privacy notice to continue."),
    ("email_contact", {"email_contact": DROP}, "Agree to email contact"),
    ("email_contact", {"email_contact": "false"}, "Agree to email contact"),
    ("terms", {"terms": DROP, "email_contact": DROP}, "Agree to the terms of use"),
]


@MODES
@pytest.mark.parametrize("field, changes, message", REVIEW_RULES,
                         ids=[f"{f}-{i}" for i, (f, _c, _m) in enumerate(REVIEW_RULES)])
@pytest.mark.parametrize("action", ["complete", "appointment"])
def test_review_consents_required(app, client, practices, htmx, field, changes, message,
                                  action):
    patient = patient_at(client, practices, "review", htmx)
    resp = patient.step("review", with_changes(GOOD["review"], changes), action=action)
    assert_rejected(resp, field, message, htmx)
    page = body(resp)
    assert "Complete enrollment" in page and "Maria" in page   # the review is still there
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(EnrollmentRequest.id))).scalar() == 0
    assert draft_of(app, client)["submitted_at"] is None


@MODES
@pytest.mark.parametrize("slug, offered", [(RIVERSIDE, True), (HILLCREST, False)])
def test_review_appointment_button_only_when_module_on(client, practices, htmx, slug,
                                                       offered):
    patient = patient_at(client, practices, "review", htmx, practice=slug)
    page = body(patient.get("/enroll/review"))
    assert 'value="complete"' in page and "Complete enrollment" in page
    assert ("Request an appointment" in page) is offered
    assert ('value="appointment"' in page) is offered


def test_review_shows_no_secrets(client, practices):
    patient = patient_at(client, practices, "review", False)
    page = body(patient.get("/enroll/review"))
    assert "mariad84" in page and "Set (not shown)" in page
    assert PASSWORD not in page
    assert not any(GOOD["security"][f"answer_{i}"] in page for i in range(1, 6))


def test_appointment_action_without_module_completes_enrollment(app, client, practices):
    patient = patient_at(client, practices, "review", False, practice=HILLCREST)
    resp = patient.step("review", GOOD["review"], action="appointment")
    assert urlparse(resp.headers["Location"]).path == "/enroll/done"
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(AppointmentRequest.id))).scalar() == 0
        assert db.session.execute(sa.select(sa.func.count(EnrollmentRequest.id))).scalar() == 1


# --- Appointment request ------------------------------------------------------------------

def at_appointment(client, practices, htmx):
    patient = patient_at(client, practices, "review", htmx)
    resp = patient.step("review", GOOD["review"], action="appointment")
    assert_advanced(resp, "appointment", htmx)
    if not htmx:
        patient.get("/enroll/appointment")
    return patient


def good_appointment(app) -> dict:
    provider, location = provider_and_location(app, RIVERSIDE)
    return {"reason": "Annual check-up\nand a cough that lingers", "days": ["mon", "wed"],
            "times": ["morning"], "provider": provider, "location": location}


@MODES
def test_appointment_valid_submits(app, client, practices, htmx):
    patient = at_appointment(client, practices, htmx)
    data = good_appointment(app)
    resp = patient.post("/enroll/appointment", {**data, "action": "next"})
    if htmx:
        assert resp.status_code == 200 and resp.headers["HX-Push-Url"] == "/enroll/done"
        assert "Your appointment request has been submitted" in body(resp)
    else:
        assert resp.status_code == 303
        assert urlparse(resp.headers["Location"]).path == "/enroll/done"
    with app.app_context():
        appt = db.session.execute(sa.select(AppointmentRequest)).scalar_one()
        assert appt.reason == data["reason"]
        assert appt.preferred_days == "mon,wed" and appt.preferred_times == "morning"
        assert appt.provider_id == int(data["provider"])
        assert appt.location_id == int(data["location"])


@MODES
def test_appointment_only_reason_needed(app, client, practices, htmx):
    patient = at_appointment(client, practices, htmx)
    resp = patient.post("/enroll/appointment", {"reason": "Knee pain", "action": "next"})
    assert resp.status_code in (200, 303)
    with app.app_context():
        appt = db.session.execute(sa.select(AppointmentRequest)).scalar_one()
        assert (appt.provider_id, appt.location_id, appt.preferred_days) == (None, None, "")


def _other_practice_provider(app):
    with app.app_context():
        return str(db.session.execute(
            sa.select(Provider.id).join(Practice).where(Practice.slug == HILLCREST)).scalar())


APPOINTMENT_RULES = [
    ("reason", {"reason": ""}, "Tell the practice why you want to visit."),
    ("reason", {"reason": "   "}, "Tell the practice why you want to visit."),
    ("reason", {"reason": DROP}, "Tell the practice why you want to visit."),
    ("reason", {"reason": "x" * 501}, "Use 500 characters or fewer."),
    ("reason", {"reason": "knee\x00pain"}, "Remove the special characters from this field."),
    ("days", {"days": ["sun"]}, "not a valid choice"),
    ("days", {"days": ["mon", "someday"]}, "not a valid choice"),
    ("times", {"times": ["midnight"]}, "not a valid choice"),
    ("provider", {"provider": "999999"}, "Not a valid choice."),
    ("provider", {"provider": "abc"}, "Not a valid choice."),
    ("provider", {"provider": _other_practice_provider}, "Not a valid choice."),
    ("location", {"location": "-1"}, "Not a valid choice."),
]


@MODES
@pytest.mark.parametrize("field, changes, message", APPOINTMENT_RULES,
                         ids=[f"{f}-{i}" for i, (f, _c, _m) in enumerate(APPOINTMENT_RULES)])
def test_appointment_rules(app, client, practices, htmx, field, changes, message):
    patient = at_appointment(client, practices, htmx)
    changes = {k: (v(app) if callable(v) else v) for k, v in changes.items()}
    sent = with_changes(good_appointment(app), changes)
    resp = patient.post("/enroll/appointment", {**sent, "action": "next"})
    kept = {k: v for k, v in sent.items() if k not in (field, "reason")}
    assert_rejected(resp, field, message, htmx, kept)
    if field != "reason" and "reason" in sent:
        assert read_page(body(resp)).values["reason"] == [sent["reason"]]
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(EnrollmentRequest.id))).scalar() == 0
