"""Patients who ask for an appointment with their enrollment, through the wizard."""
import sqlalchemy as sa

from database import write_transaction
from enrollment.models import AppointmentRequest, EnrollmentRequest, Practice
from extensions import db
from tests.admin.conftest import confirm_email, request_of
from tests.wizard import GOOD, Patient

VISIT_REASON = "Chest tightness since Tuesday"


def choices_of(app, slug: str) -> tuple[str, str, str, str]:
    """(first provider id, its name, first location id, its name) of a practice."""
    with app.app_context():
        practice = db.session.execute(sa.select(Practice).where(Practice.slug == slug)
                                      ).scalar_one()
        provider, location = practice.providers[0], practice.locations[0]
        return str(provider.id), provider.name, str(location.id), location.name


def enroll_with_appointment(app, practice_id: int, n: int, provider="", location=""):
    patient = Patient(app.test_client())
    personal = {**GOOD["personal"], "email": f"patient{n}@example.org"}
    credentials = {**GOOD["credentials"], "username": f"appt-user{n}"}
    patient.complete_through("security", practice_id, personal=personal,
                             credentials=credentials)
    resp = patient.step("review", GOOD["review"], action="appointment")
    assert resp.status_code == 303, resp.status_code
    patient.get("/enroll/appointment")
    resp = patient.post("/enroll/appointment", {
        "reason": VISIT_REASON, "days": ["mon", "wed"], "times": ["morning"],
        "provider": provider, "location": location, "action": "next"})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    return patient


def appointment_of(app, email: str) -> AppointmentRequest:
    req = request_of(app, email)
    with app.app_context():
        return db.session.execute(sa.select(AppointmentRequest).where(
            AppointmentRequest.enrollment_id == req.id)
            .execution_options(populate_existing=True)).scalar_one()


def add_appointment(app, request_id: int) -> int:
    """An appointment request attached directly (the practice's module may be off)."""
    with app.app_context(), write_transaction():
        enrollment = db.session.get(EnrollmentRequest, request_id)
        appt = AppointmentRequest(enrollment_id=request_id,
                                  practice_id=enrollment.practice_id, reason=VISIT_REASON)
        db.session.add(appt)
        db.session.flush()
        return appt.id


def make_appointment(app, practices, n: int, practice="riverside-family", confirmed=True,
                     preferred=False):
    """An enrollment with its appointment request; (request, appointment)."""
    provider = location = ""
    if preferred:
        provider, _, location, _ = choices_of(app, practice)
    enroll_with_appointment(app, practices[practice], n, provider, location)
    req = request_of(app, f"patient{n}@example.org")
    if confirmed:
        confirm_email(app, req.id)
    return request_of(app, req.email), appointment_of(app, req.email)


def appointment_id_of(app, request_id: int) -> int | None:
    with app.app_context():
        return db.session.execute(sa.select(AppointmentRequest.id).where(
            AppointmentRequest.enrollment_id == request_id)).scalar()
