"""Appointment requests: the queue, approve with a time in the practice's zone (only
once the enrollment is approved, or both in one step), decline with a reason, the
emails really delivered, two staff at once, without JavaScript, other practices' 404s."""
import threading
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from admin.appointments import decisions as appointments
from admin.appointments.models import AppointmentDecision
from admin.staff.models import StaffUser
from audit import AuditEvent
from auth.clock import in_zone, to_utc
from enrollment.models import PatientAccount
from extensions import db
from outbox import OutboxMessage, send_due
from tests.admin.appointment_helpers import (VISIT_REASON, appointment_of, choices_of,
                                             make_appointment)
from tests.admin.conftest import request_of

NEXT = date.today().year + 1
WINTER, SUMMER = date(NEXT, 1, 15), date(NEXT, 7, 15)


def _sunday(month: int, nth: int) -> date:
    first = date(NEXT, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (nth - 1))


def _slot(app, day=WINTER, clock="09:00", **extra) -> dict:
    provider, _, location, _ = choices_of(app, "riverside-family")
    return {"appt_day": day.isoformat(), "appt_clock": clock, "appt_provider": provider,
            "appt_location": location, **extra}


def _in_la(runner):
    result = runner.invoke(args=["practice", "update", "riverside-family",
                                 "--timezone", "America/Los_Angeles"])
    assert result.exit_code == 0, result.output


def _approve_enrollment(staff, req):
    assert staff.post(f"/admin/requests/{req.id}/approve", htmx=True).status_code == 200


def _decision(app, appt_id):
    with app.app_context():
        return db.session.execute(sa.select(AppointmentDecision).where(
            AppointmentDecision.appointment_id == appt_id)).scalar()


def _templates(app) -> list:
    with app.app_context():
        return list(db.session.execute(sa.select(OutboxMessage.template)
                                       .order_by(OutboxMessage.id)).scalars())


# --- time zones -------------------------------------------------------------------------

def test_wall_clock_times_become_utc_in_the_practices_zone():
    la = "America/Los_Angeles"
    assert to_utc(WINTER, time(9), la) == datetime(NEXT, 1, 15, 17)
    assert to_utc(SUMMER, time(9), la) == datetime(NEXT, 7, 15, 16)
    chicago = to_utc(WINTER, time(9), "America/Chicago")
    assert chicago == datetime(NEXT, 1, 15, 15)
    assert to_utc(_sunday(3, 2), time(2, 30), la) is None   # skipped hour
    twice = to_utc(_sunday(11, 1), time(1, 30), la)         # first of two
    assert twice == datetime.combine(_sunday(11, 1), time(8, 30))
    back = in_zone(datetime(NEXT, 1, 15, 17), la)
    assert (back.hour, back.minute, back.strftime("%Z")) == (9, 0, "PST")


# --- the queue --------------------------------------------------------------------------

def test_the_queue_lists_own_practice_newest_first_by_status(app, runner, practices,
                                                             make_staff):
    assert runner.invoke(args=["practice", "update", "hillcrest-internal",
                               "--appointments"]).exit_code == 0
    _, first = make_appointment(app, practices, 1)
    _, second = make_appointment(app, practices, 2)
    make_appointment(app, practices, 3, practice="hillcrest-internal")
    staff = make_staff()
    html = staff.get("/admin/appointments").get_data(as_text=True)
    assert "Appointments" in html and 'id="appointments-count"' in html
    assert "(2 pending)" in html.split('id="appointments-count"')[1][:40]
    assert html.count('<tr id="appointment-') == 2
    assert html.index(f'id="appointment-{second.id}"') < html.index(
        f'id="appointment-{first.id}"')                                   # newest first
    assert "Monday, Wednesday; Morning" in html and VISIT_REASON not in html
    assert "patient3" not in html
    assert "No appointment requests here." in staff.get(
        "/admin/appointments?status=approved").get_data(as_text=True)
    fragment = staff.get("/admin/appointments?status=declined", htmx=True)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    assert 'aria-current="page">Declined<' in body
    assert fragment.headers["Cache-Control"] == "no-store"


def test_the_queue_is_paginated(app, practices, make_staff, monkeypatch):
    for n in range(3):
        make_appointment(app, practices, n)
    staff = make_staff()
    monkeypatch.setitem(app.config, "ADMIN_PAGE_SIZE", 2)
    first = staff.get("/admin/appointments").get_data(as_text=True)
    second = staff.get("/admin/appointments?page=2").get_data(as_text=True)
    assert first.count('<tr id="appointment-') == 2 and 'rel="next"' in first
    assert second.count('<tr id="appointment-') == 1 and 'rel="prev"' in second
    assert "page 2 of 2 (3 in all)" in second


# --- approve ----------------------------------------------------------------------------

def test_approval_waits_for_the_enrollment(app, practices, make_staff):
    req, appt = make_appointment(app, practices, 1, confirmed=False)
    staff = make_staff()
    detail = staff.get(f"/admin/requests/{req.id}").get_data(as_text=True)
    assert 'id="appointment-decision"' in detail
    assert "can be confirmed once the enrollment is approved" in detail
    assert "Approve enrollment and appointment" not in detail
    resp = staff.post(f"/admin/appointments/{appt.id}/approve", _slot(app), htmx=True)
    assert resp.status_code == 409
    assert "only once the enrollment is approved" in resp.get_data(as_text=True)
    assert appointment_of(app, req.email).status == "pending"
    resp = staff.post(f"/admin/requests/{req.id}/approve-both", _slot(app), htmx=True)
    assert resp.status_code == 409 and "not confirmed their email" in resp.get_data(
        as_text=True)
    assert request_of(app, req.email).status == "pending"
    assert _templates(app) == ["received_confirm"]


def test_approve_stores_utc_shows_the_practice_zone_and_emails(app, smtp, runner,
                                                                practices, make_staff):
    _in_la(runner)
    req, appt = make_appointment(app, practices, 1, preferred=True)
    staff = make_staff()
    _approve_enrollment(staff, req)
    detail = staff.get(f"/admin/requests/{req.id}").get_data(as_text=True)
    provider_id, provider, location_id, location = choices_of(app, "riverside-family")
    assert "Confirm the appointment" in detail and "America/Los_Angeles" in detail
    assert f'<option selected value="{provider_id}">' in detail   # the patient's choice
    resp = staff.post(f"/admin/appointments/{appt.id}/approve", _slot(app), htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Appointment confirmed." in html
    assert f"{NEXT}-01-15 09:00 PST" in html and provider in html
    assert 'id="appointments-count" class="count" data-hx-swap-oob="true">(0 pending)' in html
    decision = _decision(app, appt.id)
    assert decision.starts_at == datetime(NEXT, 1, 15, 17, 0)
    assert decision.timezone == "America/Los_Angeles" and decision.provider_name == provider
    assert appointment_of(app, req.email).status == "approved"
    with app.app_context():
        actions = list(db.session.execute(sa.select(AuditEvent.action)
                                          .order_by(AuditEvent.id)).scalars())
        assert actions[-1] == "appt_approved"
        assert send_due().failed == 0
    (message,) = [m for m in smtp.messages if m.rcpt_tos == [req.email]
                  and "appointment" in m.message["Subject"]]
    assert message.message["Subject"] == \
        "Your appointment with Riverside Family Medicine is confirmed"
    text, part_html = message.part("plain"), message.part("html")
    for part in (text, part_html):
        assert f"January 15, {NEXT}" in part and "9:00" in part and "PST" in part
        assert provider in part and location in part
        assert VISIT_REASON not in part and "Chest" not in part and "1984" not in part


def test_summer_time_and_impossible_or_past_times(app, runner, practices, make_staff):
    _in_la(runner)
    req, appt = make_appointment(app, practices, 1)
    staff = make_staff()
    _approve_enrollment(staff, req)
    url = f"/admin/appointments/{appt.id}/approve"
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    for day, clock, message in [
            (_sunday(3, 2).isoformat(), "02:30", "That time does not exist on that day"),
            (yesterday, "09:00", "Choose a date and time in the future"),
            (WINTER.isoformat(), "25:00", "Enter the time like"),
            ("soon", "09:00", "Enter the date like")]:
        resp = staff.post(url, _slot(app, appt_day=day, appt_clock=clock), htmx=True)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422 and message in html and 'id="error-summary"' in html
    resp = staff.post(url, _slot(app, day=WINTER) | {"appt_provider": ""}, htmx=True)
    assert resp.status_code == 422 and "Choose the provider." in resp.get_data(as_text=True)
    assert appointment_of(app, req.email).status == "pending"
    resp = staff.post(url, _slot(app, day=SUMMER, clock="9:00 AM"), htmx=True)
    assert resp.status_code == 200
    assert _decision(app, appt.id).starts_at == datetime(NEXT, 7, 15, 16, 0)


def test_approve_enrollment_and_appointment_in_one_step(app, smtp, practices, make_staff):
    req, appt = make_appointment(app, practices, 1)
    staff = make_staff()
    detail = staff.get(f"/admin/requests/{req.id}").get_data(as_text=True)
    assert "Approve enrollment and appointment" in detail
    resp = staff.post(f"/admin/requests/{req.id}/approve-both", _slot(app), htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html[:3000]
    assert resp.headers["HX-Retarget"] == "#decision"
    assert "Approved." in html and "Appointment confirmed." in html
    assert 'id="appointment-decision" class="appointment-decision" data-hx-swap-oob="true"' in html
    assert request_of(app, req.email).status == "approved"
    assert appointment_of(app, req.email).status == "approved"
    with app.app_context():
        assert db.session.get(PatientAccount, req.account_id).active
        actions = list(db.session.execute(sa.select(AuditEvent.action)
                                          .order_by(AuditEvent.id)).scalars())
        assert actions[-2:] == ["approved", "appt_approved"]
        assert send_due().failed == 0
    assert _templates(app)[-2:] == ["approved", "appointment_confirmed"]
    subjects = sorted(m.message["Subject"] for m in smtp.messages
                      if m.rcpt_tos == [req.email])
    assert any("is approved" in s for s in subjects)
    assert any("appointment" in s and "confirmed" in s for s in subjects)


def test_approve_both_loses_whole_when_the_enrollment_went_first(app, practices,
                                                                 make_staff):
    """Ben approves the enrollment alone just before Ana's 'both': Ana's transaction
    writes nothing (the appointment's claim is rolled back) and she sees what happened."""
    req, appt = make_appointment(app, practices, 1)
    ana, ben = make_staff(), make_staff("ben@riverside.example")
    ana.get(f"/admin/requests/{req.id}")
    _approve_enrollment(ben, req)
    resp = ana.post(f"/admin/requests/{req.id}/approve-both", _slot(app), htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "already decided" in html
    assert "Confirm the appointment" in html          # she can still confirm the time
    assert appointment_of(app, req.email).status == "pending"
    assert _decision(app, appt.id) is None
    assert _templates(app).count("appointment_confirmed") == 0


# --- decline ----------------------------------------------------------------------------

def test_decline_with_a_reason_is_emailed_without_the_note(app, smtp, practices,
                                                          make_staff):
    req, appt = make_appointment(app, practices, 1, confirmed=False)
    staff = make_staff()
    detail = staff.get(f"/admin/requests/{req.id}").get_data(as_text=True)
    assert 'value="no_availability"' in detail
    assert 'value="enrollment_not_approved"' not in detail     # automatic only
    url = f"/admin/appointments/{appt.id}/decline"
    for reason in ("", "made-up", "enrollment_not_approved"):
        resp = staff.post(url, {"decline_reason": reason}, htmx=True)
        assert resp.status_code == 422 and 'id="error-summary"' in resp.get_data(as_text=True)
    resp = staff.post(url, {"decline_reason": "no_availability",
                            "decline_note": "Dr Ortiz on leave"}, htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Appointment declined." in html
    assert "Dr Ortiz on leave" in html and "no appointment free" in html
    assert appointment_of(app, req.email).status == "declined"
    assert request_of(app, req.email).status == "pending"    # the enrollment waits
    with app.app_context():
        assert send_due().failed == 0
    (message,) = [m for m in smtp.messages if m.rcpt_tos == [req.email]
                  and "appointment request" in m.message["Subject"]]
    assert message.message["Subject"] == \
        "About your appointment request with Riverside Family Medicine"
    for part in (message.part("plain"), message.part("html")):
        assert "no appointment free at the times you asked for" in part
        assert "Ortiz" not in part and VISIT_REASON not in part and "Chest" not in part
        assert "(217) 555-0142" in part


def test_rejecting_the_enrollment_closes_its_appointment_without_another_email(
        app, practices, make_staff):
    req, appt = make_appointment(app, practices, 1)
    staff = make_staff()
    resp = staff.post(f"/admin/requests/{req.id}/reject", {"reason": "not_a_patient"},
                      htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "data-hx-swap-oob" in html
    assert "Your portal enrollment could not be approved" in html
    assert appointment_of(app, req.email).status == "declined"
    assert _decision(app, appt.id).reason == "enrollment_not_approved"
    assert "appointment_declined" not in _templates(app)


# --- two staff at once, without JavaScript ----------------------------------------------

def test_the_second_staff_member_sees_what_happened(app, practices, make_staff):
    req, appt = make_appointment(app, practices, 1)
    ana, ben = make_staff(), make_staff("ben@riverside.example")
    _approve_enrollment(ana, req)
    ben.get(f"/admin/requests/{req.id}")
    assert ana.post(f"/admin/appointments/{appt.id}/approve", _slot(app),
                    htmx=True).status_code == 200
    late = ben.post(f"/admin/appointments/{appt.id}/decline",
                    {"decline_reason": "no_availability"}, htmx=True)
    html = late.get_data(as_text=True)
    assert late.status_code == 409 and "already decided" in html
    assert "ana@riverside.example" in html and "Confirmed for:" in html


def test_two_staff_deciding_at_once_make_exactly_one_decision(app, practices, make_staff):
    req, appt = make_appointment(app, practices, 1)
    _approve_enrollment(make_staff(), req)
    make_staff("ben@riverside.example", sign_in=False)
    with app.app_context():
        staff_ids = list(db.session.execute(sa.select(StaffUser.id)).scalars()) * 2
    slot = appointments.Slot(datetime(NEXT, 1, 15, 17), "America/Chicago")
    barrier, results = threading.Barrier(len(staff_ids)), [None] * len(staff_ids)

    def decide(i, staff_id):
        with app.test_request_context(), app.app_context():
            staff = db.session.get(StaffUser, staff_id)
            barrier.wait()
            results[i] = (appointments.decline(staff, appt.id, "no_availability") if i % 2
                          else appointments.approve(staff, appt.id, slot)).result
            db.session.remove()

    threads = [threading.Thread(target=decide, args=(i, s)) for i, s in enumerate(staff_ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["done", "lost", "lost", "lost"]
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(
            AppointmentDecision)).scalar() == 1
    assert len([t for t in _templates(app) if t.startswith("appointment_")]) == 1


def test_without_javascript_forms_post_and_redirect(app, practices, make_staff):
    req, appt = make_appointment(app, practices, 1)
    staff = make_staff()
    staff.get(f"/admin/requests/{req.id}")
    bad = staff.post(f"/admin/requests/{req.id}/approve-both", _slot(app, clock=""))
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "<html" in page and "Enter the time like" in page
    assert f'value="{WINTER.isoformat()}"' in page                 # values kept
    resp = staff.post(f"/admin/requests/{req.id}/approve-both", _slot(app))
    assert resp.status_code == 303
    assert resp.headers["Location"] == (f"/admin/requests/{req.id}?result=approved"
                                        "&appointment=approved#appointment-decision")
    page = staff.get(resp.headers["Location"]).get_data(as_text=True)
    assert "<html" in page and "Approved." in page and "Appointment confirmed." in page
    req2, appt2 = make_appointment(app, practices, 2)
    staff.get(f"/admin/requests/{req2.id}")
    resp = staff.post(f"/admin/appointments/{appt2.id}/decline",
                      {"decline_reason": "call_practice"})
    assert resp.status_code == 303 and resp.headers["Location"] == (
        f"/admin/requests/{req2.id}?appointment=declined#appointment-decision")
    assert "Appointment declined." in staff.get(resp.headers["Location"]).get_data(
        as_text=True)


# --- other practices --------------------------------------------------------------------

def test_another_practices_appointments_are_not_found(app, runner, practices, make_staff):
    assert runner.invoke(args=["practice", "update", "hillcrest-internal",
                               "--appointments"]).exit_code == 0
    b_req, b_appt = make_appointment(app, practices, 1, practice="hillcrest-internal")
    ana = make_staff()
    for htmx in (False, True):
        for path, data in [(f"/admin/appointments/{b_appt.id}/approve", _slot(app)),
                           (f"/admin/appointments/{b_appt.id}/decline",
                            {"decline_reason": "no_availability"}),
                           (f"/admin/requests/{b_req.id}/approve-both", _slot(app))]:
            resp = ana.post(path, data, htmx=htmx)
            assert resp.status_code == 404, (path, resp.status_code)
            assert "Delgado" not in resp.get_data(as_text=True)
    assert "Delgado" not in ana.get("/admin/appointments").get_data(as_text=True)
    assert appointment_of(app, b_req.email).status == "pending"
    assert _decision(app, b_appt.id) is None
